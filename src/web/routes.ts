import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KuraError } from '../core/errors/catalogue.js';
import { assets, contentSecurityPolicy } from './assets.js';
import { guardForms } from './forms.js';
import { signInPath } from './paths.js';
import { statusPage } from './pages/status-page.js';
import { registerBrowseRoutes } from './routes/browse-routes.js';
import { registerOrganizationRoutes } from './routes/organization-routes.js';
import { registerPackageSettingsRoutes } from './routes/package-settings-routes.js';
import { registerRepositoryRoutes } from './routes/repository-routes.js';
import { registerSessionRoutes } from './routes/session-routes.js';
import { registerSettingsRoutes } from './routes/settings-routes.js';
import { strangerVisitor, visitorOf, type Visitor } from './visitor.js';
import type { WebDeps } from './web-deps.js';

export type { Authenticate, WebDeps } from './web-deps.js';

/** How the web UI is set up beyond its dependencies. */
export interface WebOptions {
  /** Days a browser session lasts at most (its cookie's lifetime). */
  sessionMaxDays: number;
}

/**
 * The web UI: server-rendered pages (home and search, owners, repositories, packages), the
 * signed-in user's settings, and the settings of packages for their admins. Pages show what the visitor may read; anything else is a 404 page.
 * Every page carries a strict Content-Security-Policy and may not be framed; every form is
 * checked for its CSRF token before it is acted on.
 */
export async function registerWeb(app: FastifyInstance, deps: WebDeps, options: WebOptions): Promise<WebErrorPage> {
  await app.register(fastifyCookie);
  guardForms(app);

  app.addHook('onSend', async (_request, reply, payload) => {
    pageHeaders(reply);
    return payload;
  });

  const errorPage: WebErrorPage = async (error, request, reply) => {
    // Outside the pages' scope (a path no route knows) cookies are not parsed yet: read them here.
    request.cookies ??= fastifyCookie.fastifyCookie.parse(request.headers.cookie ?? '');
    pageHeaders(reply);
    const kuraError = error instanceof KuraError ? error : null;
    const status = kuraError?.status ?? (typeof (error as { statusCode?: unknown }).statusCode === 'number' && (error as { statusCode: number }).statusCode < 500 ? (error as { statusCode: number }).statusCode : 500);
    if (status >= 500) reply.log.error({ err: error }, 'web page failed');
    let visitor: Visitor;
    try {
      visitor = await visitorOf(deps, request, reply);
    } catch {
      visitor = strangerVisitor(deps.urls.base(request));
    }
    // Whatever a visitor may not read does not exist for them; a form posted while signed out asks them to sign in.
    const shown = status === 401 && request.method === 'GET' ? 404 : status;
    const message = status >= 500 ? 'Something went wrong on the server. Try again later.'
      : status === 401 && request.method !== 'GET' ? 'Sign in to do this.'
        : status === 404 || status === 401 ? 'There is nothing here, or you may not see it.'
          : kuraError?.message ?? 'The request was refused.';
    if (status === 429 && typeof kuraError?.detail?.['retryAfterSeconds'] === 'number') reply.header('retry-after', String(kuraError.detail['retryAfterSeconds']));
    return reply.status(shown).type('text/html; charset=utf-8').header('cache-control', 'no-store')
      .send(statusPage(visitor, shown, message, shown === 401 ? signInPath(request.headers.referer ? safeReferer(request.headers.referer, visitor.baseUrl) : '/') : undefined));
  };
  app.setErrorHandler(errorPage);

  for (const asset of Object.values(assets)) {
    app.get(asset.path, async (_request, reply) => reply.type(asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body));
  }

  registerSessionRoutes(app, deps, options.sessionMaxDays);
  registerSettingsRoutes(app, deps);
  registerRepositoryRoutes(app, deps);
  registerOrganizationRoutes(app, deps);
  registerBrowseRoutes(app, deps);
  registerPackageSettingsRoutes(app, deps);
  return errorPage;
}

/**
 * Renders an error as the web UI's status page (with the headers every page has): the pages'
 * own error handler, and what the HTTP app answers for paths no route knows outside the REST API
 * and the formats' mounts, so a browser gets the same 404 page everywhere.
 */
export type WebErrorPage = (error: unknown, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** The headers every page is sent with: a strict Content-Security-Policy, no framing, no sniffing. */
function pageHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', contentSecurityPolicy);
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
}

/** The path of a same-site `Referer`, to come back to after signing in; '/' for anything else. */
function safeReferer(referer: string, baseUrl: string): string {
  try {
    const url = new URL(referer);
    return url.origin === new URL(baseUrl).origin ? url.pathname + url.search : '/';
  } catch {
    return '/';
  }
}
