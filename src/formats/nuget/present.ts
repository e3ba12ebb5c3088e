import type { PageDependency, PageFact, PresentInput, VersionPresentation } from '../contract.js';
import { recordOf, recordsOf, textOf, textsOf } from '../shared/metadata-fields.js';
import { addressFact, dependenciesFact, labelsFact, pageDependency, presentFacts, textFact } from '../shared/page-facts.js';
import { repositoryWebAddress, webAddress } from '../shared/web-address.js';
import { packageIdKey, parsePackageId } from './package-id.js';

/** `dotnet add package`, `<PackageReference>` and `nuget install` snippets, and the nuspec's facts. */
export function presentNuGetVersion({ pkg, version, metadata, baseUrl }: PresentInput): VersionPresentation {
  const nuspec = recordOf(metadata) ?? {};
  const feed = `${baseUrl}/nuget/${pkg.ownerLogin}/index.json`;
  const groups = recordsOf(nuspec['dependencyGroups']);
  return {
    install: [
      { client: 'dotnet', code: `dotnet add package ${pkg.name} --version ${version.version} --source ${feed}` },
      { client: 'PackageReference', code: `<PackageReference Include="${pkg.name}" Version="${version.version}" />` },
      { client: 'nuget', code: `nuget install ${pkg.name} -Version ${version.version} -Source ${feed}` },
      { client: 'NuGet.config', code: `<packageSources>\n  <add key="kura" value="${feed}" protocolVersion="3" />\n</packageSources>` },
    ],
    details: nuspecPageFacts(nuspec, pkg.ownerLogin),
    facts: {
      authors: nuspec['authors'] ?? [],
      tags: nuspec['tags'] ?? [],
      license: recordOf(nuspec['license'])?.['value'] ?? nuspec['licenseUrl'] ?? null,
      projectUrl: nuspec['projectUrl'] ?? null,
      targetFrameworks: groups.map((g) => g['targetFramework']).filter(Boolean),
      dependencyGroups: Object.fromEntries(groups.map((g) => [
        g['targetFramework'] ?? 'any',
        Object.fromEntries(recordsOf(g['dependencies']).map((d) => [d['id'], d['range'] ?? '(any)'])),
      ])),
    },
  };
}

/**
 * What a person reads about a version from its nuspec (as `parseNuspec` stored it): project
 * website, repository, license, authors, the NuGet client it needs, its package types when
 * they are not just `Dependency`, its dependencies for each target framework (a framework
 * without any says "None") and its tags. `ownerLogin` owns the feed dependencies resolve from.
 */
function nuspecPageFacts(nuspec: Record<string, unknown>, ownerLogin: string): PageFact[] {
  const packageTypes = textsOf(nuspec['packageTypes']);
  const repository = nuspec['repositoryUrl'];
  return presentFacts([
    addressFact('Project website', webAddress(nuspec['projectUrl']), nuspec['projectUrl']),
    addressFact('Repository', repositoryWebAddress(repository), repository),
    licenseFact(nuspec),
    textFact('Authors', textsOf(nuspec['authors']).join(', ')),
    textFact('Minimum NuGet client version', nuspec['minClientVersion']),
    packageTypes.length === 1 && packageTypes[0] === 'Dependency' ? null : textFact('Package types', packageTypes.join(', ')),
    ...recordsOf(nuspec['dependencyGroups']).map((group) => dependencyGroupFact(group, ownerLogin)),
    labelsFact('Tags', textsOf(nuspec['tags'])),
  ]);
}

/** The license expression, the license file the package carries, or (in older packages) the license's address. */
function licenseFact(nuspec: Record<string, unknown>): PageFact | null {
  const license = recordOf(nuspec['license']);
  const value = textOf(license?.['value']);
  if (value && license?.['type'] === 'file') return textFact('License', `${value} (a file in the package)`);
  if (value) return textFact('License', value);
  return addressFact('License', webAddress(nuspec['licenseUrl']), nuspec['licenseUrl']);
}

/** One dependency group: "Dependencies (net8.0)", or "Dependencies" when it applies to every framework. */
function dependencyGroupFact(group: Record<string, unknown>, ownerLogin: string): PageFact | null {
  const framework = textOf(group['targetFramework']);
  const label = framework ? `Dependencies (${framework})` : 'Dependencies';
  const items = recordsOf(group['dependencies']).flatMap((d) => nugetDependency(d, ownerLogin));
  return items.length > 0 ? dependenciesFact(label, items) : textFact(label, 'None');
}

/**
 * A dependency with its range as the nuspec writes it (`[1.0.0, 2.0.0)`, `6.0.1` for "at
 * least"; `(, )` when it names none); the package is the owner's, whose feed the install
 * snippets name. Nothing for an entry without an id.
 */
function nugetDependency(dependency: Record<string, unknown>, ownerLogin: string): PageDependency[] {
  const id = textOf(dependency['id']);
  if (!id) return [];
  return [pageDependency(id, textOf(dependency['range']) ?? '(, )', { package: hostedPackage(id, ownerLogin) })];
}

function hostedPackage(id: string, ownerLogin: string): PageDependency['package'] | null {
  try {
    return { owner: ownerLogin, name: packageIdKey(parsePackageId(id)) };
  } catch {
    return null;
  }
}
