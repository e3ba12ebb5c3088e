import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { registerMetrics, type KuraMetrics } from './metrics.js';
import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { KuraConfig } from '../config/config.js';
import type { Core } from '../core/core.js';
import { KuraError } from '../core/errors/catalogue.js';
import { guardWriteBodies } from '../delivery/accepted-bodies.js';
import type { UrlBuilder } from '../delivery/url-builder.js';
import type { FormatCatalog } from '../formats/catalog.js';
import type { FormatContext } from '../formats/contract.js';
import { registerWeb, type WebErrorPage } from '../web/routes.js';
import { apiPrefix, registerApiV1 } from './api/v1/routes.js';
import type { ApiDescription } from './api/v1/openapi.js';
import type { Authenticator } from './authenticate.js';
import { toKuraError } from './error-mapping.js';
import { RequestLog } from './request-log.js';

/** Whether a request's path is the REST API's (`/api`, `/api/…`), whose errors are JSON. */
function isApiPath(url: string): boolean {
  const path = url.split('?')[0]!;
  return path === '/api' || path.startsWith('/api/');
}

export interface AppDeps {
  core: Core;
  config: KuraConfig;
  logger: Logger;
  formats: FormatCatalog;
  /** Each format's context, built by the composition root. */
  formatContexts: ReadonlyMap<string, FormatContext<unknown>>;
  authenticate: Authenticator;
  urls: UrlBuilder;
  /** Prometheus metrics, or null when `KURA_METRICS=off`. */
  metrics: KuraMetrics | null;
}

/**
 * Builds the HTTP application (health, REST API, every enabled format) without listening, so
 * tests can `inject()` and `kura serve` can `listen()` the same thing.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  /** The web UI's status page, once the pages are registered. */
  let webErrorPage: WebErrorPage | undefined;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new RequestLog(deps.logger),
    bodyLimit: deps.config.maxBodyBytes,
    // X-Forwarded-For names the client only when a trusted proxy (by default one on a loopback or
    // private address) sends it: a client connecting directly cannot pick the address sign-in
    // throttling counts.
    trustProxy: deps.config.trustedProxies,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 1000, caseSensitive: true, ignoreDuplicateSlashes: false },
    // Errors raised before routing (a malformed URL) are rendered by the format that owns the path.
    frameworkErrors: (error, request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const kuraError = toKuraError(error, request);
      const format = deps.formats.all.find((f) => request.url === f.mountPath || request.url.startsWith(`${f.mountPath}/`));
      if (format) return format.renderError(kuraError, request, reply);
      if (webErrorPage && !isApiPath(request.url)) return webErrorPage(kuraError, request, reply);
      return reply.status(kuraError.status).send({ error: { code: kuraError.code, message: kuraError.message } });
    },
  });

  const { urls, authenticate, formats } = deps;

  // Reads the core reuses count every write committed before the request arrived.
  const changes = deps.core.deps.changes;
  if (changes) {
    app.addHook('onRequest', (_request, _reply, done) => {
      changes.refresh();
      done();
    });
  }

  app.setErrorHandler((error, request, reply) => {
    const kuraError = toKuraError(error, request);
    if (kuraError.status === 401) reply.header('www-authenticate', 'Bearer realm="kura"');
    return reply.status(kuraError.status).send({ error: { code: kuraError.code, message: kuraError.message } });
  });
  // Paths no route knows: the REST API's error shape under /api, the web UI's 404 page elsewhere
  // (each format's mount answers its own).
  app.setNotFoundHandler((request, reply) => {
    const notFound = new KuraError('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`);
    if (webErrorPage && !isApiPath(request.url)) return webErrorPage(notFound, request, reply);
    return reply.status(404).send({ error: { code: notFound.code, message: notFound.message } });
  });

  registerMetrics(app, deps.metrics, formats.all, deps.core.deps);

  app.get('/healthz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(deps.core.deps.db);
      return { status: 'ok' };
    } catch {
      return reply.status(503).send({ status: 'unavailable' });
    }
  });

  let api: ApiDescription | undefined;
  await app.register(async (scope) => {
    api = registerApiV1(scope, { core: deps.core, formats, formatContexts: deps.formatContexts, authenticate, urls });
  }, { prefix: apiPrefix });
  const apiDocument = () => api!.document();
  await app.register(async (web) => {
    webErrorPage = await registerWeb(web, { core: deps.core, formats, formatContexts: deps.formatContexts, authenticate, urls, apiDocument }, { sessionMaxDays: deps.config.sessionMaxDays });
  });

  for (const format of formats.all) {
    const ctx = deps.formatContexts.get(format.id);
    if (!ctx) throw new Error(`no context for format ${format.id}`);
    await app.register(async (scope) => {
      scope.setErrorHandler((error, request, reply) => format.renderError(toKuraError(error, request), request, reply));
      scope.setNotFoundHandler((request, reply) => {
        return format.renderError(new KuraError('NOT_FOUND', `no ${format.displayName} endpoint at ${request.url.split('?')[0]}`), request, reply);
      });
      if (formats.mode(format.id) !== 'enabled') {
        scope.addHook('onRequest', async (request) => {
          if (request.method === 'GET' || request.method === 'HEAD') formats.requireVisible(format.id);
          else formats.requireWritable(format.id);
        });
      }
      // Each write route of the format declares the bodies its client sends; others get 415 unread.
      guardWriteBodies(scope);
      await format.register(scope, ctx);
    }, { prefix: format.mountPath });
  }

  return app;
}
