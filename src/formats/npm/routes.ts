import type { FastifyInstance } from 'fastify';
import type { FormatContext } from '../contract.js';
import { PackumentCache } from './packument-cache.js';
import { registerAccountRoutes } from './routes/account-routes.js';
import { registerAuditRoutes } from './routes/audit-routes.js';
import { registerDistTagRoutes } from './routes/dist-tag-routes.js';
import { registerDocumentRoutes } from './routes/document-routes.js';
import type { NpmRoutesContext } from './routes/npm-routes-context.js';
import { registerPublishRoutes } from './routes/publish-routes.js';
import { registerSearchRoutes } from './routes/search-routes.js';

/** The npm registry protocol (npm 11, yarn 1 and 4, pnpm) at the format's mount path. */
export async function registerNpmRoutes(app: FastifyInstance, ctx: FormatContext): Promise<void> {
  const nc: NpmRoutesContext = { ctx, cache: new PackumentCache(ctx.packages.queries, ctx.caches) };

  // Bodies are read by the handlers, after access checks, as streams.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  registerAccountRoutes(app, nc);
  registerAuditRoutes(app, nc);
  registerSearchRoutes(app, nc);
  registerDistTagRoutes(app, nc);
  registerDocumentRoutes(app, nc);
  registerPublishRoutes(app, nc);
}
