import type { PresentInput, VersionPresentation } from '../contract.js';
import type { Nuspec } from './nupkg.js';

/** `dotnet add package`, `<PackageReference>` and `nuget install` snippets, and the nuspec's facts. */
export function presentNuGetVersion({ pkg, version, metadata, baseUrl }: PresentInput): VersionPresentation {
  const nuspec = metadata as Partial<Nuspec>;
  const feed = `${baseUrl}/nuget/${pkg.ownerLogin}/index.json`;
  return {
    install: [
      { client: 'dotnet', code: `dotnet add package ${pkg.name} --version ${version.version} --source ${feed}` },
      { client: 'PackageReference', code: `<PackageReference Include="${pkg.name}" Version="${version.version}" />` },
      { client: 'nuget', code: `nuget install ${pkg.name} -Version ${version.version} -Source ${feed}` },
      { client: 'NuGet.config', code: `<packageSources>\n  <add key="kura" value="${feed}" protocolVersion="3" />\n</packageSources>` },
    ],
    details: [],
    facts: {
      authors: nuspec.authors ?? [],
      tags: nuspec.tags ?? [],
      license: nuspec.license?.value ?? nuspec.licenseUrl ?? null,
      projectUrl: nuspec.projectUrl ?? null,
      targetFrameworks: (nuspec.dependencyGroups ?? []).map((g) => g.targetFramework).filter(Boolean),
      dependencyGroups: Object.fromEntries((nuspec.dependencyGroups ?? []).map((g) => [g.targetFramework ?? 'any', Object.fromEntries(g.dependencies.map((d) => [d.id, d.range ?? '(any)']))])),
    },
  };
}
