import type { FastifyInstance } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import { accepting, jsonBody, noBody } from '../../../delivery/accepted-bodies.js';
import { parseDistTag } from '../names.js';
import { authorizedPackage, bodyOf, distTagPath, readSmallJson, type NpmRoutesContext } from './npm-routes-context.js';

/** `npm dist-tag ls/add/rm`: `/-/package/NAME/dist-tags[/TAG]`. */
export function registerDistTagRoutes(app: FastifyInstance, nc: NpmRoutesContext): void {
  const { ctx, cache } = nc;

  app.get('/-/package/*', async (request) => {
    const { name, tag } = distTagPath(request.url);
    if (tag !== null) throw new KuraError('METHOD_NOT_ALLOWED', 'GET a dist-tag list at /-/package/NAME/dist-tags');
    const { pkg } = await authorizedPackage(nc, request, name, 'read');
    const entry = await cache.get(pkg, ctx.urls.base(request));
    return (JSON.parse(entry.abbreviated.identity.toString('utf8')) as { 'dist-tags': Record<string, string> })['dist-tags'];
  });

  app.put('/-/package/*', accepting(jsonBody), async (request, reply) => {
    const { name, tag: sent } = distTagPath(request.url);
    if (!sent) throw new KuraError('BAD_REQUEST', 'PUT /-/package/NAME/dist-tags/TAG with the version as a JSON string');
    const tag = parseDistTag(sent);
    const { pkg, principal } = await authorizedPackage(nc, request, name, 'write');
    const version = await readSmallJson(bodyOf(request));
    if (typeof version !== 'string') throw new KuraError('BAD_REQUEST', 'the body must be the version as a JSON string, e.g. "1.0.0"');
    await ctx.packages.setTag(principal, pkg, tag, version);
    return reply.status(201).send({ ok: `dist-tag ${tag} set to ${version}` });
  });

  app.delete('/-/package/*', accepting(noBody), async (request) => {
    const { name, tag } = distTagPath(request.url);
    if (!tag) throw new KuraError('BAD_REQUEST', 'DELETE /-/package/NAME/dist-tags/TAG');
    if (tag === 'latest') throw new KuraError('BAD_REQUEST', 'the latest dist-tag cannot be removed; point it at another version instead');
    const { pkg, principal } = await authorizedPackage(nc, request, name, 'write');
    await ctx.packages.removeTag(principal, pkg, tag);
    return { ok: `dist-tag ${tag} removed` };
  });
}
