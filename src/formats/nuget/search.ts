import { isPrereleaseNuGet, semVerLevel } from './nuget-version.js';
import type { PackageView, ViewVersion } from './package-view.js';
import { registrationIndexUrl, type FeedUrls } from './registration.js';

type Query = Record<string, string | undefined>;

const maxTake = 1000;

/** The versions of a view a query admits: prereleases only with `prerelease=true`, SemVer 2 ones only with `semVerLevel=2.0.0`. */
function admitted(view: PackageView, query: Query): ViewVersion[] {
  const prerelease = query['prerelease'] === 'true';
  const semver2 = (query['semVerLevel'] ?? '').startsWith('2');
  return view.versions.filter((v) => (prerelease || !isPrereleaseNuGet(v.record.version)) && (semver2 || semVerLevel(v.nuspec.fullVersion) === 1));
}

function paging(query: Query): { skip: number; take: number } {
  const skip = Math.max(0, Number.parseInt(query['skip'] ?? '0', 10) || 0);
  const take = Math.min(maxTake, Math.max(0, Number.parseInt(query['take'] ?? '20', 10) || 20));
  return { skip, take };
}

const matches = (view: PackageView, text: string) => {
  if (!text) return true;
  const latest = view.versions[view.versions.length - 1]?.nuspec;
  const haystack = [view.pkg.name, latest?.title, latest?.description, ...(latest?.tags ?? [])].filter(Boolean).join(' ').toLowerCase();
  return text.toLowerCase().split(/\s+/).filter(Boolean).every((term) => haystack.includes(term.replace(/^(id|packageid|tags?):/, '')));
};

/** SearchQueryService: `q`, `skip`, `take`, `prerelease`, `semVerLevel`, `packageType` over the views given (what the caller may read). */
export function searchPackages(urls: FeedUrls, views: readonly PackageView[], query: Query) {
  const text = (query['q'] ?? '').trim();
  const packageType = query['packageType']?.toLowerCase();
  const hits = views
    .map((view) => ({ view, versions: admitted(view, query) }))
    .filter(({ view, versions }) => versions.length > 0 && matches(view, text))
    .filter(({ versions }) => !packageType || (versions[versions.length - 1]!.nuspec.packageTypes.length === 0 ? 'dependency' : '') === packageType
      || versions[versions.length - 1]!.nuspec.packageTypes.some((t) => t.toLowerCase() === packageType))
    .sort((a, b) => a.view.pkg.name.localeCompare(b.view.pkg.name));
  const { skip, take } = paging(query);
  return {
    totalHits: hits.length,
    data: hits.slice(skip, skip + take).map(({ view, versions }) => {
      const latest = versions[versions.length - 1]!;
      const n = latest.nuspec;
      return {
        '@id': registrationIndexUrl(urls, view.pkg.name),
        '@type': 'Package',
        registration: registrationIndexUrl(urls, view.pkg.name),
        id: view.pkg.name,
        version: n.fullVersion,
        description: n.description ?? '',
        summary: n.summary ?? '',
        title: n.title ?? view.pkg.name,
        iconUrl: n.iconUrl ?? '',
        licenseUrl: n.licenseUrl ?? '',
        projectUrl: n.projectUrl ?? '',
        tags: n.tags,
        authors: n.authors,
        owners: [view.pkg.ownerLogin],
        totalDownloads: versions.reduce((sum, v) => sum + v.record.downloadCount, 0),
        verified: false,
        packageTypes: (n.packageTypes.length > 0 ? n.packageTypes : ['Dependency']).map((name) => ({ name })),
        versions: versions.map((v) => ({ version: v.nuspec.fullVersion, downloads: v.record.downloadCount, '@id': `${urls.v3}/registration/${view.pkg.name.toLowerCase()}/${v.key}.json` })),
      };
    }),
  };
}

/** SearchAutocompleteService: package ids matching `q`, or with `id=ID` the versions of that package. */
export function autocomplete(views: readonly PackageView[], query: Query) {
  const id = query['id'];
  if (id !== undefined) {
    const view = views.find((v) => v.pkg.name.toLowerCase() === id.toLowerCase());
    const versions = view ? admitted(view, query).map((v) => v.nuspec.fullVersion) : [];
    return { totalHits: versions.length, data: versions };
  }
  const text = (query['q'] ?? '').toLowerCase();
  const ids = views.filter((view) => admitted(view, query).length > 0 && view.pkg.name.toLowerCase().includes(text)).map((view) => view.pkg.name).sort();
  const { skip, take } = paging(query);
  return { totalHits: ids.length, data: ids.slice(skip, skip + take) };
}
