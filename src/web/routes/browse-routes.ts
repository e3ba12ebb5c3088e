import type { FastifyInstance, FastifyReply } from 'fastify';
import { advisoryPage } from '../pages/advisory-page.js';
import { apiReferencePage } from '../pages/api-reference-page.js';
import { helpPage } from '../pages/help-page.js';
import { homePage } from '../pages/home-page.js';
import { ownerPage } from '../pages/owner-page.js';
import { packagePage } from '../pages/package-page.js';
import { repositoryPage } from '../pages/repository-page.js';
import { deleteVersionPage } from '../pages/delete-version-page.js';
import { deletedPackagePage, packageSettingsPage } from '../pages/package-settings-page.js';
import { versionsPage } from '../pages/versions-page.js';
import { resolvePackageUrl } from '../package-lookup.js';
import { visitorOf } from '../visitor.js';
import { noticeOf } from './package-settings-routes.js';
import type { WebDeps } from '../web-deps.js';

const sendPage = (reply: FastifyReply, page: string) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);

const queryText = (query: unknown, key: string): string => {
  const value = (query as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : '';
};

/** A page number from `?page=`, 1 when absent or not a positive number. */
const pageNumber = (query: unknown): number => {
  const n = Number(queryText(query, 'page'));
  return Number.isInteger(n) && n > 0 && n < 1_000_000 ? n : 1;
};

/**
 * The pages anyone may browse: home and search, help per format, the REST API's reference, owners,
 * repositories, advisories, packages and their versions; and of a package, for those allowed, its settings, the page that
 * confirms deleting a version, and a deleted package's page to restore it.
 */
export function registerBrowseRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/', async (request, reply) => sendPage(reply, await homePage(deps, await visitorOf(deps, request, reply), queryText(request.query, 'q'))));

  app.get('/-/help/:format', async (request, reply) => {
    const { format } = request.params as { format: string };
    return sendPage(reply, helpPage(deps, await visitorOf(deps, request, reply), format));
  });

  const { apiDocument } = deps;
  if (apiDocument) {
    app.get('/api/docs', async (request, reply) => sendPage(reply, apiReferencePage(await visitorOf(deps, request, reply), apiDocument())));
  }

  app.get('/:owner', async (request, reply) => {
    const { owner } = request.params as { owner: string };
    return sendPage(reply, await ownerPage(deps, await visitorOf(deps, request, reply), owner, queryText(request.query, 'format')));
  });

  app.get('/:owner/:repo', async (request, reply) => {
    const { owner, repo } = request.params as { owner: string; repo: string };
    return sendPage(reply, await repositoryPage(deps, await visitorOf(deps, request, reply), owner, repo));
  });

  app.get('/:owner/:repo/security/advisories/:id', async (request, reply) => {
    const { owner, repo, id } = request.params as { owner: string; repo: string; id: string };
    return sendPage(reply, await advisoryPage(deps, await visitorOf(deps, request, reply), `${owner}/${repo}`, id));
  });

  app.get('/:owner/-/packages/:format/*', async (request, reply) => {
    const { owner, format, '*': tail } = request.params as { owner: string; format: string; '*': string };
    const visitor = await visitorOf(deps, request, reply);
    const viewed = await resolvePackageUrl(deps, visitor, owner, format, tail, { includeDeleted: true });
    const { view } = viewed;
    // Only those who may restore a deleted package find it at all; whatever of it they open says so.
    const flash = { notice: noticeOf(request.query) };
    if (viewed.pkg.deletedAt) return sendPage(reply, deletedPackagePage(deps, visitor, viewed, flash));
    if (view.view === 'settings') return sendPage(reply, await packageSettingsPage(deps, visitor, viewed, flash));
    if (view.view === 'versions') return sendPage(reply, await versionsPage(deps, visitor, viewed, pageNumber(request.query), flash));
    if (view.view === 'delete-version') return sendPage(reply, await deleteVersionPage(deps, visitor, viewed, view.version));
    return sendPage(reply, await packagePage(deps, visitor, viewed, view.view === 'version' ? view.version : null, flash));
  });
}
