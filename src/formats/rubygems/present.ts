import type { PageDependency, PageFact, PresentInput, VersionPresentation } from '../contract.js';
import { recordOf, recordsOf, textOf, textsOf } from '../shared/metadata-fields.js';
import { addressFact, dependenciesFact, pageDependency, presentFacts, textFact } from '../shared/page-facts.js';
import { webAddress } from '../shared/web-address.js';
import { gemNameKey, parseGemName } from './names.js';

/** `gem install` and Gemfile snippets, and the gemspec's facts. */
export function presentGemVersion({ pkg, version, metadata, baseUrl }: PresentInput): VersionPresentation {
  const spec = recordOf(metadata) ?? {};
  const source = `${baseUrl}/rubygems/${pkg.ownerLogin}/`;
  const dependencies = recordsOf(spec['dependencies']);
  const requirementsOf = (type: string) => Object.fromEntries(dependencies.filter((d) => d['type'] === type && textOf(d['name']))
    .map((d) => [d['name'], requirementText(d['requirement'])]));
  return {
    install: [
      { client: 'gem', code: `gem install ${pkg.name} -v ${version.version} --source ${source}` },
      { client: 'Gemfile', code: `source "${source}" do\n  gem "${pkg.name}", "~> ${version.version}"\nend` },
    ],
    details: gemPageFacts(spec, pkg.ownerLogin),
    facts: {
      summary: spec['summary'] ?? null,
      authors: spec['authors'] ?? [],
      licenses: spec['licenses'] ?? [],
      homepage: spec['homepage'] ?? null,
      requiredRubyVersion: requirementText(spec['requiredRubyVersion']),
      platform: spec['platform'] ?? 'ruby',
      runtimeDependencies: requirementsOf('runtime'),
      developmentDependencies: requirementsOf('development'),
      metadata: spec['metadata'] ?? {},
    },
  };
}

/** The links a gemspec's `metadata` may carry, as rubygems.org shows them. */
const metadataLinks: ReadonlyArray<[key: string, label: string]> = [
  ['source_code_uri', 'Repository'],
  ['changelog_uri', 'Changelog'],
  ['documentation_uri', 'Documentation'],
  ['bug_tracker_uri', 'Issues'],
  ['wiki_uri', 'Wiki'],
  ['mailing_list_uri', 'Mailing list'],
  ['funding_uri', 'Funding'],
];

/**
 * What a person reads about a version from its gemspec (as `parseGemspec` stored it): its
 * homepage and the links its metadata names, authors, licenses, platform, the Ruby and
 * RubyGems versions it requires, then its runtime and development dependencies. `ownerLogin`
 * owns the source the dependencies are installed from.
 */
function gemPageFacts(spec: Record<string, unknown>, ownerLogin: string): PageFact[] {
  const links = recordOf(spec['metadata']) ?? {};
  const homepage = spec['homepage'] ?? links['homepage_uri'];
  const dependencies = recordsOf(spec['dependencies']);
  const listed = (type: string) => dependencies.filter((d) => d['type'] === type).flatMap((d) => gemDependency(d, ownerLogin));
  return presentFacts([
    addressFact('Homepage', webAddress(homepage), homepage),
    ...metadataLinks.map(([key, label]) => addressFact(label, webAddress(links[key]), links[key])),
    textFact('Authors', textsOf(spec['authors']).join(', ')),
    textFact('Licenses', textsOf(spec['licenses']).join(', ')),
    textFact('Platform', spec['platform']),
    textFact('Required Ruby version', constrainingText(spec['requiredRubyVersion'])),
    textFact('Required RubyGems version', constrainingText(spec['requiredRubygemsVersion'])),
    dependenciesFact('Runtime dependencies', listed('runtime')),
    dependenciesFact('Development dependencies', listed('development')),
  ]);
}

/**
 * A dependency with its requirement as Bundler prints it; the gem is the owner's, whose source
 * the install snippets name. Nothing for an entry without a name.
 */
function gemDependency(dependency: Record<string, unknown>, ownerLogin: string): PageDependency[] {
  const name = textOf(dependency['name']);
  if (!name) return [];
  return [pageDependency(name, requirementText(dependency['requirement']) ?? '>= 0', { package: hostedGem(name, ownerLogin) })];
}

function hostedGem(name: string, ownerLogin: string): PageDependency['package'] | null {
  try {
    return { owner: ownerLogin, name: gemNameKey(parseGemName(name)) };
  } catch {
    return null;
  }
}

/**
 * A stored requirement (`[operator, version]` pairs) as `~> 2.2, >= 2.2.1`, or null when it is
 * not a list of such pairs.
 */
function requirementText(requirement: unknown): string | null {
  if (!Array.isArray(requirement)) return null;
  const pairs = requirement.map((pair) => (Array.isArray(pair) && pair.length === 2 ? [textOf(pair[0]), textOf(pair[1])] : []));
  if (pairs.length === 0 || pairs.some(([operator, version]) => !operator || !version)) return null;
  return pairs.map(([operator, version]) => `${operator} ${version}`).join(', ');
}

/** {@link requirementText}, or null when it admits every version (`>= 0`). */
function constrainingText(requirement: unknown): string | null {
  const text = requirementText(requirement);
  return text && !/^>= 0(\.0)*$/.test(text) ? text : null;
}
