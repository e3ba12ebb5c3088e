import { ownerTarget } from '../../core/access/access-policy.js';
import { KuraError } from '../../core/errors/catalogue.js';
import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { AlertList } from '../components/alert-list.js';
import { renderPage } from '../components/layout.js';
import { PackageList } from '../components/package-list.js';
import { visiblePackages } from '../visible-packages.js';

/** A repository's page: its description, the packages linked to it and its open alerts. @throws KuraError NOT_FOUND */
export async function repositoryPage(deps: WebDeps, visitor: Visitor, ownerLogin: string, name: string): Promise<string> {
  const repo = await deps.core.repos.find(ownerLogin, name);
  if (!repo) throw new KuraError('NOT_FOUND', `no repository ${ownerLogin}/${name}`);
  const owner = (await deps.core.owners.findById(repo.ownerId))!;
  const subject = { kind: 'repository' as const, owner: ownerTarget(owner), repo };
  if (!(await deps.core.access.permits(visitor.principal, 'read', subject))) throw new KuraError('NOT_FOUND', `no repository ${ownerLogin}/${name}`);
  const [packages, alerts, isAdmin] = await Promise.all([
    deps.core.packages.queries.listByOwner(repo.ownerId, { repoId: repo.id }),
    deps.core.alerts.list(visitor.principal, repo, { state: ['open'] }),
    deps.core.access.permits(visitor.principal, 'administer', subject),
  ]);
  return renderPage({ title: repo.fullName, visitor, wide: true }, (
    <>
      <section>
        <h1>{repo.fullName}</h1>
        <p><span class="badge">{repo.visibility}</span> <span class="muted">{repo.description ?? ''}</span></p>
        {isAdmin ? <p><a href={`/${repo.fullName}/settings`}>Settings</a></p> : null}
      </section>
      <section>
        <h2>Packages</h2>
        <PackageList packages={await visiblePackages(deps, visitor.principal, packages)} formats={deps.formats} />
      </section>
      <AlertList alerts={alerts} />
    </>
  ));
}
