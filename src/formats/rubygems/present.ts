import type { PresentInput, VersionPresentation } from '../contract.js';
import { requirementText } from './compact-index.js';
import type { GemRequirement, GemSpec } from './gemspec.js';

const requirement = (r: GemRequirement | undefined) => (r ? requirementText(r).replace(/&/g, ', ') : null);

/** `gem install` and Gemfile snippets, and the gemspec's facts. */
export function presentGemVersion({ pkg, version, metadata, baseUrl }: PresentInput): VersionPresentation {
  const spec = metadata as Partial<GemSpec>;
  const source = `${baseUrl}/rubygems/${pkg.ownerLogin}/`;
  const dependencies = spec.dependencies ?? [];
  return {
    install: [
      { client: 'gem', code: `gem install ${pkg.name} -v ${version.version} --source ${source}` },
      { client: 'Gemfile', code: `source "${source}" do\n  gem "${pkg.name}", "~> ${version.version}"\nend` },
    ],
    details: [],
    facts: {
      summary: spec.summary ?? null,
      authors: spec.authors ?? [],
      licenses: spec.licenses ?? [],
      homepage: spec.homepage ?? null,
      requiredRubyVersion: requirement(spec.requiredRubyVersion),
      platform: spec.platform ?? 'ruby',
      runtimeDependencies: Object.fromEntries(dependencies.filter((d) => d.type === 'runtime').map((d) => [d.name, requirement(d.requirement)])),
      developmentDependencies: Object.fromEntries(dependencies.filter((d) => d.type === 'development').map((d) => [d.name, requirement(d.requirement)])),
      metadata: spec.metadata ?? {},
    },
  };
}
