import type { PackageView, ViewVersion } from './package-view.js';

/** Registration pages hold up to this many versions; a package with more gets linked pages. */
export const pageSize = 128;

/** Where a feed's resources live: `BASE/nuget/OWNER/v3`. */
export interface FeedUrls {
  v3: string;
}

const idKey = (view: PackageView) => view.pkg.name.toLowerCase();
export const registrationIndexUrl = (urls: FeedUrls, id: string) => `${urls.v3}/registration/${id.toLowerCase()}/index.json`;
export const nupkgUrl = (urls: FeedUrls, id: string, key: string) => `${urls.v3}/flatcontainer/${id.toLowerCase()}/${key}/${id.toLowerCase()}.${key}.nupkg`;
const leafUrl = (urls: FeedUrls, view: PackageView, v: ViewVersion) => `${urls.v3}/registration/${idKey(view)}/${v.key}.json`;
const pageUrl = (urls: FeedUrls, view: PackageView, lower: string, upper: string) => `${urls.v3}/registration/${idKey(view)}/page/${lower}/${upper}.json`;

/** The catalog entry of one version: what `nuget` and `dotnet` show and resolve dependencies from. */
function catalogEntry(urls: FeedUrls, view: PackageView, v: ViewVersion) {
  const n = v.nuspec;
  return {
    '@id': `${leafUrl(urls, view, v)}#catalog`,
    '@type': 'PackageDetails',
    id: view.pkg.name,
    version: n.fullVersion,
    description: n.description ?? '',
    summary: n.summary ?? '',
    title: n.title ?? '',
    authors: n.authors.join(', '),
    tags: n.tags,
    iconUrl: n.iconUrl ?? '',
    projectUrl: n.projectUrl ?? '',
    licenseExpression: n.license?.type === 'expression' ? n.license.value : '',
    licenseUrl: n.licenseUrl ?? (n.license?.type === 'expression' ? `https://licenses.nuget.org/${encodeURIComponent(n.license.value)}` : ''),
    requireLicenseAcceptance: n.requireLicenseAcceptance,
    listed: true,
    published: v.record.createdAt,
    packageContent: nupkgUrl(urls, view.pkg.name, v.key),
    minClientVersion: n.minClientVersion ?? undefined,
    ...(v.record.deprecated ? { deprecation: { '@id': `${leafUrl(urls, view, v)}#deprecation`, reasons: ['Other'], message: v.record.deprecated } } : {}),
    dependencyGroups: n.dependencyGroups.map((group, i) => ({
      '@id': `${leafUrl(urls, view, v)}#dependencygroup/${i}`,
      '@type': 'PackageDependencyGroup',
      ...(group.targetFramework ? { targetFramework: group.targetFramework } : {}),
      dependencies: group.dependencies.map((d) => ({
        '@id': `${leafUrl(urls, view, v)}#dependencygroup/${i}/${d.id.toLowerCase()}`,
        '@type': 'PackageDependency',
        id: d.id,
        range: d.range ?? '(, )',
        registration: registrationIndexUrl(urls, d.id),
      })),
    })),
  };
}

function leaf(urls: FeedUrls, view: PackageView, v: ViewVersion) {
  return {
    '@id': leafUrl(urls, view, v),
    '@type': 'Package',
    catalogEntry: catalogEntry(urls, view, v),
    packageContent: nupkgUrl(urls, view.pkg.name, v.key),
    registration: registrationIndexUrl(urls, view.pkg.name),
  };
}

function pages(view: PackageView): ViewVersion[][] {
  const result: ViewVersion[][] = [];
  for (let i = 0; i < view.versions.length; i += pageSize) result.push(view.versions.slice(i, i + pageSize));
  return result;
}

function page(urls: FeedUrls, view: PackageView, versions: ViewVersion[], inline: boolean) {
  const lower = versions[0]!.key;
  const upper = versions[versions.length - 1]!.key;
  return {
    '@id': pageUrl(urls, view, lower, upper),
    '@type': 'catalog:CatalogPage',
    count: versions.length,
    lower,
    upper,
    parent: registrationIndexUrl(urls, view.pkg.name),
    ...(inline ? { items: versions.map((v) => leaf(urls, view, v)) } : {}),
  };
}

/** The registration index: one inline page up to {@link pageSize} versions, else linked pages. */
export function registrationIndex(urls: FeedUrls, view: PackageView) {
  const all = pages(view);
  const inline = all.length === 1;
  return {
    '@id': registrationIndexUrl(urls, view.pkg.name),
    '@type': ['catalog:CatalogRoot', 'PackageRegistration', 'catalog:Permalink'],
    count: all.length,
    items: all.map((versions) => page(urls, view, versions, inline)),
  };
}

/** A linked registration page by its bounds, or null when none has them. */
export function registrationPage(urls: FeedUrls, view: PackageView, lower: string, upper: string) {
  const found = pages(view).find((versions) => versions[0]!.key === lower && versions[versions.length - 1]!.key === upper);
  return found ? page(urls, view, found, true) : null;
}

/** A registration leaf (`/registration/ID/VERSION.json`). */
export function registrationLeaf(urls: FeedUrls, view: PackageView, v: ViewVersion) {
  return {
    '@id': leafUrl(urls, view, v),
    '@type': ['Package', 'http://schema.nuget.org/catalog#Permalink'],
    listed: true,
    published: v.record.createdAt,
    packageContent: nupkgUrl(urls, view.pkg.name, v.key),
    registration: registrationIndexUrl(urls, view.pkg.name),
    catalogEntry: catalogEntry(urls, view, v),
  };
}
