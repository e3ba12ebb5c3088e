import { packageSubject, effectiveVisibility, type FileRecord, type TagRecord, type VersionRecord, type VersionSummary } from '../../core/packages/package.js';
import { KuraError } from '../../core/errors/catalogue.js';
import type { PageFact, VersionPresentation } from '../../formats/contract.js';
import type { ViewedPackage } from '../package-lookup.js';
import { packagePath, packageSettingsPath, versionPath, versionsPath } from '../paths.js';
import type { Visitor } from '../visitor.js';
import { mayView } from '../visible-packages.js';
import type { WebDeps } from '../web-deps.js';
import { AlertList } from '../components/alert-list.js';
import { DownloadChart } from '../components/download-chart.js';
import { Flash, renderPage, Snippet } from '../components/layout.js';
import { hostedKey, PageFacts, type HostedPackages } from '../components/page-facts.js';
import { countText, dayText, sizeText } from '../components/quantities.js';
import { Readme } from '../components/readme.js';
import type { PageFlash } from './package-settings-page.js';

/** How many versions the package page lists before linking to the full list. */
export const versionsOnPackagePage = 50;
const chartDays = 90;

/**
 * A package page, or with `versionName` one version's page: description, README, install
 * snippets for each client, the newest versions with dates and downloads, download activity,
 * tags, the format's facts, files, license, linked repository and visibility. A fixed number of
 * queries, whatever the number of versions.
 * @throws KuraError NOT_FOUND (a version that does not exist or is deleted)
 */
export async function packagePage(deps: WebDeps, visitor: Visitor, viewed: ViewedPackage, versionName: string | null, flash: PageFlash = {}): Promise<string> {
  const { format, pkg } = viewed;
  const queries = deps.core.packages.queries;
  const since = new Date(deps.core.deps.now().getTime() - (chartDays - 1) * 86_400_000).toISOString().slice(0, 10);
  const [listed, tags, daily, repo, canAdminister] = await Promise.all([
    queries.versionPage(pkg.id, { offset: 0, limit: versionsOnPackagePage }),
    queries.tags(pkg.id),
    deps.core.downloads.dailyOfPackage(pkg.id, since),
    pkg.repo ? deps.core.repos.findById(pkg.repo.id) : null,
    deps.core.access.permits(visitor.principal, 'administer', packageSubject(pkg)),
  ]);
  const latestId = tags.find((t) => t.name === 'latest')?.versionId ?? listed.versions[0]?.id;
  const shown = versionName === null
    ? (latestId !== undefined ? await queries.versionById(latestId) : null)
    : await queries.version(pkg.id, versionName);
  if (versionName !== null && (!shown || shown.deletedAt)) throw new KuraError('NOT_FOUND', `no version ${versionName} of ${pkg.name}`);
  const [files, alerts] = await Promise.all([
    shown ? queries.filesOf(shown.id) : [],
    repo ? deps.core.alerts.list(visitor.principal, repo, { state: ['open'] }) : [],
  ]);
  const presentation = shown ? format.present({
    pkg, version: shown, metadata: parseMetadata(shown.metadata),
    tags: tags.filter((t) => t.versionId === shown.id).map((t) => t.name), baseUrl: visitor.baseUrl,
  }) : null;
  const hosted = await hostedDependencies(deps, visitor, format.id, presentation?.details ?? []);
  const totalDownloads = await queries.downloadTotal(pkg.id);
  const title = versionName === null ? pkg.name : `${pkg.name} ${versionName}`;

  return renderPage({ title, visitor }, (
    <>
      <div>
        <Flash notice={flash.notice} error={flash.error} />
        <section>
          <h1>{pkg.name}</h1>
          <p>
            <span class="badge">{format.displayName}</span>
            <span class="badge">{effectiveVisibility(pkg)}</span>
            {shown ? <span class="badge">{shown.version}</span> : null}
            {shown?.deprecated ? <span class="badge">deprecated: {shown.deprecated}</span> : null}
          </p>
          {versionName !== null ? <p class="muted">Version {versionName}, published {dayText(shown!.createdAt)}. <a href={packagePath(pkg)}>See the latest version</a>.</p> : null}
          <p>{shown?.description ?? pkg.description ?? ''}</p>
          {canAdminister ? <p><a href={packageSettingsPath(pkg)}>Package settings</a></p> : null}
        </section>
        <AlertList alerts={alerts.filter((a) => a.package.id === pkg.id)} />
        {presentation ? <InstallSection presentation={presentation} /> : null}
        {shown?.readme ? <Readme text={shown.readme} /> : null}
        <VersionsSection pkg={viewed} listed={listed} tags={tags} current={shown} />
      </div>
      <aside>
        <div>
          <h2>Downloads</h2>
          <p><strong>{countText(totalDownloads)}</strong> in total</p>
          <DownloadChart daily={daily} today={deps.core.deps.now()} days={chartDays} />
        </div>
        <div>
          <h2>About</h2>
          <table>
            <tbody>
              {pkg.repo ? <tr><th scope="row">Repository</th><td><a href={`/${pkg.repo.fullName}`}>{pkg.repo.fullName}</a></td></tr> : null}
              <tr><th scope="row">Owner</th><td><a href={`/${pkg.ownerLogin}`}>{pkg.ownerLogin}</a></td></tr>
              {shown?.license ? <tr><th scope="row">License</th><td>{shown.license}</td></tr> : null}
              <tr><th scope="row">Visibility</th><td>{effectiveVisibility(pkg)}</td></tr>
              <tr><th scope="row">Updated</th><td>{dayText(pkg.updatedAt)}</td></tr>
            </tbody>
          </table>
        </div>
        {tags.length > 0 ? (
          <div>
            <h2>Tags</h2>
            <p>{tags.map((t) => <a class="badge" href={versionPath(pkg, t.version)} title={`${t.name} → ${t.version}`}>{t.name}: {t.version}</a>)}</p>
          </div>
        ) : null}
        {presentation && presentation.details.length > 0 ? (
          <div>
            <h2>Details</h2>
            <PageFacts facts={presentation.details} hosted={hosted} versionHref={(v) => versionPath(pkg, v)} />
          </div>
        ) : null}
        {files.length > 0 ? <FilesSection files={files} /> : null}
      </aside>
    </>
  ));
}

function parseMetadata(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

/**
 * The package pages of the dependencies in `facts` that this server hosts and the visitor may
 * see, by owner and name; one query for all of them.
 */
async function hostedDependencies(deps: WebDeps, visitor: Visitor, formatId: string, facts: readonly PageFact[]): Promise<HostedPackages> {
  const refs = facts.flatMap((f) => (f.kind === 'dependencies' ? f.items.flatMap((i) => (i.package ? [i.package] : [])) : []));
  const hosted = new Map<string, string>();
  if (refs.length === 0) return hosted;
  const found = await deps.core.packages.queries.findByNames(formatId, refs.map((r) => r.name.toLowerCase()));
  const wanted = new Set(refs.map((r) => hostedKey(r.owner, r.name)));
  for (const pkg of found) {
    const key = hostedKey(pkg.ownerLogin, pkg.name);
    if (wanted.has(key) && (await mayView(deps, visitor.principal, pkg))) hosted.set(key, packagePath(pkg));
  }
  return hosted;
}

function InstallSection({ presentation }: { presentation: VersionPresentation }) {
  return (
    <section>
      <h2>Install</h2>
      {presentation.install.map((s) => <Snippet label={s.client} code={s.code} />)}
    </section>
  );
}

function VersionsSection({ pkg: { pkg }, listed, tags, current }: { pkg: ViewedPackage; listed: { total: number; versions: VersionSummary[] }; tags: TagRecord[]; current: VersionRecord | null }) {
  return (
    <section>
      <h2>Versions</h2>
      <VersionTable pkg={pkg} versions={listed.versions} tags={tags} current={current?.id ?? null} />
      <p><a href={versionsPath(pkg)}>{listed.total > listed.versions.length ? `All ${countText(listed.total)} versions` : 'All versions'}</a></p>
    </section>
  );
}

/** Versions with their publish day, downloads and tags; each version links to its page. */
export function VersionTable({ pkg, versions, tags, current, actions }: {
  pkg: ViewedPackage['pkg'];
  versions: readonly VersionSummary[];
  tags: readonly TagRecord[];
  current: number | null;
  /** Extra cells at the end of each row (restore and delete buttons for admins). */
  actions?: { heading: string; cell: (version: VersionSummary) => preact.ComponentChildren };
}) {
  const tagsOf = new Map<number, string[]>();
  for (const t of tags) tagsOf.set(t.versionId, [...(tagsOf.get(t.versionId) ?? []), t.name]);
  return (
    <div class="table-scroll">
      <table>
        <thead><tr><th>Version</th><th>Published</th><th>Downloads</th><th>Tags</th>{actions ? <th>{actions.heading}</th> : null}</tr></thead>
        <tbody>
          {versions.map((v) => (
            <tr>
              <td>
                {v.deletedAt ? v.version : <a href={versionPath(pkg, v.version)} aria-current={v.id === current ? 'page' : undefined}>{v.version}</a>}
                {v.deprecated ? <> <span class="badge">deprecated</span></> : null}
                {v.deletedAt ? <> <span class="badge">{v.purgedAt ? 'purged' : 'deleted'}</span></> : null}
              </td>
              <td>{dayText(v.createdAt)}</td>
              <td>{countText(v.downloadCount)}</td>
              <td>{(tagsOf.get(v.id) ?? []).map((t) => <span class="badge">{t}</span>)}</td>
              {actions ? <td>{actions.cell(v)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FilesSection({ files }: { files: FileRecord[] }) {
  return (
    <div>
      <h2>Files</h2>
      <table>
        <tbody>{files.map((f) => <tr><td>{f.name}</td><td>{sizeText(f.size)}</td></tr>)}</tbody>
      </table>
    </div>
  );
}
