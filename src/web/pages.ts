import type { Principal } from '../core/access/principal.js';
import { alertSection } from './alert-list.js';
import type { Core } from '../core/core.js';
import { KuraError } from '../core/errors/catalogue.js';
import { ownerTarget } from '../core/access/access-policy.js';
import { effectiveVisibility, packageSubject, type PackageRecord } from '../core/packages/package.js';
import type { FormatCatalog } from '../formats/catalog.js';
import { downloadChart } from './download-chart.js';
import { html, type SafeHtml } from './html.js';
import { layout } from './layout.js';
import { renderReadme } from './readme.js';

export interface PageDeps {
  core: Core;
  formats: FormatCatalog;
}

const packagePath = (pkg: PackageRecord) => `/${pkg.ownerLogin}/-/packages/${pkg.format}/${encodeURIComponent(pkg.name)}`;
const formatName = (deps: PageDeps, id: string) => deps.formats.find(id)?.displayName ?? id;

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** Whether the caller may see `pkg` on a page: its format is not disabled and access lets them read it. */
async function mayView(deps: PageDeps, principal: Principal, pkg: PackageRecord): Promise<boolean> {
  return deps.formats.isVisible(pkg.format) && deps.core.access.permits(principal, 'read', packageSubject(pkg));
}

/** Packages the caller may see, as a list with format, description and visibility. */
async function packageList(deps: PageDeps, principal: Principal, packages: PackageRecord[]): Promise<SafeHtml> {
  const visible: PackageRecord[] = [];
  for (const pkg of packages) if (await mayView(deps, principal, pkg)) visible.push(pkg);
  if (visible.length === 0) return html`<p class="muted">No packages yet.</p>`;
  return html`<ul class="packages">${visible.map((pkg) => html`<li><a href="${packagePath(pkg)}"><strong>${pkg.name}</strong></a>
    <span class="badge">${formatName(deps, pkg.format)}</span>${effectiveVisibility(pkg) === 'private' ? html`<span class="badge">private</span>` : ''}
    <div class="muted">${pkg.description ?? ''}</div></li>`)}</ul>`;
}

/** The home page: search results, or the most recently updated packages. */
export async function homePage(deps: PageDeps, principal: Principal, query: string): Promise<string> {
  const found = await deps.core.packages.queries.search(null, query.trim(), 200);
  const heading = query.trim() ? html`Packages matching “${query.trim()}”` : html`Recently updated packages`;
  return layout('Packages', html`<section><h1>${heading}</h1>${await packageList(deps, principal, found)}</section>`, { wide: true, query });
}

/** An owner's page: their packages. @throws KuraError NOT_FOUND */
export async function ownerPage(deps: PageDeps, principal: Principal, login: string): Promise<string> {
  const owner = await deps.core.owners.find(login);
  if (!owner) throw new KuraError('NOT_FOUND', `no user or organization named ${login}`);
  const packages = await deps.core.packages.queries.listByOwner(owner.id);
  return layout(owner.login, html`<section><h1>${owner.login}</h1><p class="muted">${owner.kind === 'org' ? 'Organization' : 'User'}</p>
    <h2>Packages</h2>${await packageList(deps, principal, packages)}</section>`, { wide: true });
}

/** A repository's page: the packages linked to it. @throws KuraError NOT_FOUND */
export async function repositoryPage(deps: PageDeps, principal: Principal, ownerLogin: string, name: string): Promise<string> {
  const repo = await deps.core.repos.find(ownerLogin, name);
  if (!repo) throw new KuraError('NOT_FOUND', `no repository ${ownerLogin}/${name}`);
  const owner = (await deps.core.owners.findById(repo.ownerId))!;
  if (!(await deps.core.access.permits(principal, 'read', { kind: 'repository', owner: ownerTarget(owner), repo }))) {
    throw new KuraError('NOT_FOUND', `no repository ${ownerLogin}/${name}`);
  }
  const [packages, alerts] = await Promise.all([
    deps.core.packages.queries.listByOwner(repo.ownerId, { repoId: repo.id }),
    deps.core.alerts.list(principal, repo, { state: ['open'] }),
  ]);
  return layout(repo.fullName, html`<section><h1>${repo.fullName}</h1>
    <p><span class="badge">${repo.visibility}</span> <span class="muted">${repo.description ?? ''}</span></p>
    <h2>Packages</h2>${await packageList(deps, principal, packages)}</section>${alertSection(alerts)}`, { wide: true });
}

/**
 * A package page: description, README, install snippets for each client, versions with dates
 * and downloads, download activity, tags, facts, files of the latest version, license, linked
 * repository and visibility. @throws KuraError NOT_FOUND (also for packages the caller may not read)
 */
export async function packagePage(deps: PageDeps, principal: Principal, ownerLogin: string, formatId: string, rawName: string, baseUrl: string): Promise<string> {
  const format = deps.formats.find(formatId);
  const nameLower = format?.normalizeName(ownerLogin, rawName);
  const queries = deps.core.packages.queries;
  const pkg = format && nameLower ? await queries.find(format.id, ownerLogin, nameLower) : null;
  if (!format || !pkg || !(await mayView(deps, principal, pkg))) {
    throw new KuraError('NOT_FOUND', `no ${formatId} package ${rawName} under ${ownerLogin}`);
  }
  const [versions, tags, files] = await Promise.all([queries.versions(pkg.id), queries.tags(pkg.id), queries.liveFiles(pkg.id)]);
  const latestId = tags.find((t) => t.name === 'latest')?.versionId ?? versions[versions.length - 1]?.id;
  const latest = versions.find((v) => v.id === latestId);
  const daily = await deps.core.downloads.daily(versions.map((v) => v.id));
  const presentation = latest ? format.present({
    pkg, version: latest, metadata: JSON.parse(latest.metadata) as Record<string, unknown>,
    tags: tags.filter((t) => t.versionId === latest.id).map((t) => t.name), baseUrl,
  }) : null;
  const totalDownloads = versions.reduce((n, v) => n + v.downloadCount, 0);
  const latestFiles = latest ? files.filter((f) => f.versionId === latest.id) : [];
  const repo = pkg.repo ? await deps.core.repos.findById(pkg.repo.id) : null;
  const alerts = repo ? (await deps.core.alerts.list(principal, repo, { state: ['open'] })).filter((a) => a.package.id === pkg.id) : [];
  const facts = presentation ? Object.entries(presentation.facts).filter(([, v]) => v !== null && !(typeof v === 'object' && Object.keys(v as object).length === 0)) : [];

  const main = html`<div>
    <section><h1>${pkg.name}</h1>
      <p><span class="badge">${format.displayName}</span><span class="badge">${effectiveVisibility(pkg)}</span>
      ${latest ? html`<span class="badge">${latest.version}</span>` : ''}${latest?.deprecated ? html`<span class="badge">deprecated: ${latest.deprecated}</span>` : ''}</p>
      <p>${pkg.description ?? ''}</p></section>
    ${alertSection(alerts)}
    ${presentation ? html`<section><h2>Install</h2>${presentation.install.map((s) => html`<div class="muted">${s.client}</div><pre tabindex="0"><code>${s.code}</code></pre>`)}</section>` : ''}
    ${latest?.readme ? html`<section class="readme">${renderReadme(latest.readme)}</section>` : ''}
    <section><h2>Versions</h2><table><tr><th>Version</th><th>Published</th><th>Downloads</th><th>Tags</th></tr>
      ${[...versions].reverse().map((v) => html`<tr><td>${v.version}${v.deprecated ? html` <span class="badge">deprecated</span>` : ''}</td><td>${v.createdAt.slice(0, 10)}</td><td>${v.downloadCount}</td>
        <td>${tags.filter((t) => t.versionId === v.id).map((t) => html`<span class="badge">${t.name}</span>`)}</td></tr>`)}</table></section>
  </div>`;

  const side = html`<aside>
    <div><h2>Downloads</h2><p><strong>${totalDownloads}</strong> in total</p>${downloadChart(daily, deps.core.deps.now())}</div>
    <div><h2>About</h2><table>
      ${pkg.repo ? html`<tr><th>Repository</th><td><a href="/${pkg.repo.fullName}">${pkg.repo.fullName}</a></td></tr>` : ''}
      <tr><th>Owner</th><td><a href="/${pkg.ownerLogin}">${pkg.ownerLogin}</a></td></tr>
      ${latest?.license ? html`<tr><th>License</th><td>${latest.license}</td></tr>` : ''}
      <tr><th>Updated</th><td>${pkg.updatedAt.slice(0, 10)}</td></tr>
    </table></div>
    ${facts.length > 0 ? html`<div><h2>Details</h2>${facts.map(([key, value]) => html`<div class="muted">${key}</div><pre tabindex="0">${typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value, null, 1)}</pre>`)}</div>` : ''}
    ${latestFiles.length > 0 ? html`<div><h2>Files</h2><table>${latestFiles.map((f) => html`<tr><td>${f.name}</td><td>${sizeText(f.size)}</td></tr>`)}</table></div>` : ''}
  </aside>`;

  return layout(pkg.name, html`${main}${side}`);
}
