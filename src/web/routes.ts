import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../core/access/principal.js';
import type { UrlBuilder } from '../delivery/url-builder.js';
import { KuraError } from '../core/errors/catalogue.js';
import { html } from './html.js';
import { layout } from './layout.js';
import { advisoryPage } from './advisory-page.js';
import { homePage, ownerPage, packagePage, repositoryPage, type PageDeps } from './pages.js';

/** Resolves the caller of a request (the HTTP layer's authenticator). */
export type Authenticate = (request: FastifyRequest) => Promise<Principal>;

/**
 * The web UI: server-rendered pages for the home page (search), owners, repositories and
 * packages. Pages show what the caller may read; anything else is a 404 page.
 */
export async function registerWeb(app: FastifyInstance, deps: PageDeps & { authenticate: Authenticate; urls: UrlBuilder }): Promise<void> {
  const send = (reply: FastifyReply, page: string) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);

  app.setErrorHandler((error, _request, reply) => {
    const status = error instanceof KuraError ? error.status : 500;
    const message = error instanceof KuraError && status < 500 ? error.message : 'Something went wrong.';
    if (status >= 500) reply.log.error({ err: error }, 'web page failed');
    return reply.status(status === 401 ? 404 : status).type('text/html; charset=utf-8')
      .send(layout('Not found', html`<section><h1>${status === 401 || status === 404 ? 'Not found' : 'Error'}</h1><p>${message}</p></section>`, { wide: true }));
  });

  app.get('/', async (request, reply) => {
    const principal = await deps.authenticate(request);
    const { q } = request.query as { q?: string };
    return send(reply, await homePage(deps, principal, typeof q === 'string' ? q : ''));
  });

  app.get('/:owner', async (request, reply) => {
    const { owner } = request.params as { owner: string };
    return send(reply, await ownerPage(deps, await deps.authenticate(request), owner));
  });

  app.get('/:owner/:repo', async (request, reply) => {
    const { owner, repo } = request.params as { owner: string; repo: string };
    return send(reply, await repositoryPage(deps, await deps.authenticate(request), owner, repo));
  });

  app.get('/:owner/:repo/security/advisories/:id', async (request, reply) => {
    const { owner, repo, id } = request.params as { owner: string; repo: string; id: string };
    return send(reply, await advisoryPage(deps, await deps.authenticate(request), `${owner}/${repo}`, id));
  });

  app.get('/:owner/-/packages/:format/*', async (request, reply) => {
    const { owner, format, '*': name } = request.params as { owner: string; format: string; '*': string };
    const principal = await deps.authenticate(request);
    return send(reply, await packagePage(deps, principal, owner, format, decodeURIComponent(name), deps.urls.base(request)));
  });
}
