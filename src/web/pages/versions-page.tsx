import { packageSubject, type VersionSummary } from '../../core/packages/package.js';
import type { ViewedPackage } from '../package-lookup.js';
import { packagePath, versionsPath } from '../paths.js';
import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { renderPage } from '../components/layout.js';
import { countText } from '../components/quantities.js';
import { VersionTable } from './package-page.js';

export const versionsPerPage = 50;

/** Cells a page adds to each version row (restore and delete buttons for the package's admins). */
export type VersionActions = (version: VersionSummary) => preact.ComponentChildren;

/**
 * Every version of a package, newest first, 50 to a page (`page` counts from 1). Those who may
 * delete and restore versions also see the deleted ones, marked.
 */
export async function versionsPage(deps: WebDeps, visitor: Visitor, viewed: ViewedPackage, page: number, actions?: (canDelete: boolean) => VersionActions | undefined): Promise<string> {
  const { pkg } = viewed;
  const canDelete = await deps.core.access.permits(visitor.principal, 'delete', packageSubject(pkg));
  const [listed, tags] = await Promise.all([
    deps.core.packages.queries.versionPage(pkg.id, { offset: (page - 1) * versionsPerPage, limit: versionsPerPage, includeDeleted: canDelete }),
    deps.core.packages.queries.tags(pkg.id),
  ]);
  const pages = Math.max(1, Math.ceil(listed.total / versionsPerPage));
  const cell = actions?.(canDelete);
  return renderPage({ title: `Versions of ${pkg.name}`, visitor, wide: true }, (
    <section>
      <h1><a href={packagePath(pkg)}>{pkg.name}</a>: versions</h1>
      <p class="muted">{countText(listed.total)} {listed.total === 1 ? 'version' : 'versions'}{canDelete ? ', deleted ones included' : ''}.</p>
      <VersionTable pkg={pkg} versions={listed.versions} tags={tags} current={null} actions={cell ? { heading: 'Actions', cell } : undefined} />
      {pages > 1 ? (
        <nav class="pager" aria-label="Pages">
          {page > 1 ? <a href={`${versionsPath(pkg)}?page=${page - 1}`} rel="prev">Newer versions</a> : null}
          <span>Page {page} of {pages}</span>
          {page < pages ? <a href={`${versionsPath(pkg)}?page=${page + 1}`} rel="next">Older versions</a> : null}
        </nav>
      ) : null}
    </section>
  ));
}
