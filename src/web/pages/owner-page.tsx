import { KuraError } from '../../core/errors/catalogue.js';
import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { renderPage } from '../components/layout.js';
import { PackageList } from '../components/package-list.js';
import { visiblePackages } from '../visible-packages.js';

/**
 * An owner's page: their repositories and packages the visitor may see, with a filter by format.
 * @throws KuraError NOT_FOUND
 */
export async function ownerPage(deps: WebDeps, visitor: Visitor, login: string, formatFilter: string): Promise<string> {
  const owner = await deps.core.owners.find(login);
  if (!owner) throw new KuraError('NOT_FOUND', `no user or organization named ${login}`);
  const format = formatFilter && deps.formats.isVisible(formatFilter) ? deps.formats.find(formatFilter) : undefined;
  const [all, repositories] = await Promise.all([
    deps.core.packages.queries.listByOwner(owner.id),
    deps.core.repos.listVisible(owner, visitor.principal),
  ]);
  const visible = await visiblePackages(deps, visitor.principal, all);
  const formatsPresent = deps.formats.all.filter((f) => visible.some((p) => p.format === f.id));
  const shown = format ? visible.filter((p) => p.format === format.id) : visible;
  const isMember = visitor.organizations.some((o) => o.id === owner.id);
  const mayCreate = visitor.session !== null && (isMember || visitor.user?.id === owner.id);
  return renderPage({ title: owner.login, visitor, wide: true }, (
    <>
      <section>
        <h1>{owner.login}</h1>
        <p class="muted">{owner.kind === 'org' ? 'Organization' : 'User'}</p>
        {owner.kind === 'org' && isMember ? <p><a href={`/${owner.login}/-/members`}>Members</a></p> : null}
      </section>
      <section>
        <h2>Repositories</h2>
        {mayCreate ? <p><a href={`/new?owner=${encodeURIComponent(owner.login)}`}>New repository</a></p> : null}
        {repositories.length === 0 ? <p class="muted">No repositories.</p> : (
          <ul class="packages">
            {repositories.map((repo) => (
              <li>
                <a href={`/${repo.fullName}`}><strong>{repo.fullName}</strong></a>{' '}
                {repo.visibility === 'private' ? <span class="badge">private</span> : null}
                {repo.description ? <div class="muted">{repo.description}</div> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h2>Packages</h2>
        {formatsPresent.length > 1 ? (
          <nav aria-label="Filter by format" class="filters">
            <a href={`/${owner.login}`} aria-current={format ? undefined : 'page'} class="badge">All</a>
            {formatsPresent.map((f) => <a href={`/${owner.login}?format=${f.id}`} aria-current={format?.id === f.id ? 'page' : undefined} class="badge">{f.displayName}</a>)}
          </nav>
        ) : null}
        <PackageList packages={shown} formats={deps.formats} />
      </section>
    </>
  ));
}
