import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../../../core/access/principal.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import { effectiveVisibility, packageSubject, type PackageRecord } from '../../../core/packages/package.js';
import type { ApiContext, OwnerScope, PackageParams } from './api-context.js';
import { presentVersion } from './presenters.js';

/**
 * Packages of users and organizations, shaped like GitHub's packages API: lists, one package,
 * visibility, delete and restore, format settings, and versions.
 */
export function registerPackageRoutes(api: FastifyInstance, ac: ApiContext): void {
  api.get('/user/packages', async (request) => {
    const principal = await ac.user(request);
    return listPackages(ac, request, principal, principal.user.id);
  });

  for (const scope of ['users', 'orgs'] as const) {
    api.get(`/${scope}/:owner/packages`, async (request) => {
      const principal = await ac.principal(request);
      const owner = await ac.owner(scope, (request.params as { owner: string }).owner, principal);
      return listPackages(ac, request, principal, owner.id);
    });
    registerPackageResource(api, ac, scope);
    registerVersionResource(api, ac, scope);
  }
}

/** The packages of an owner the caller may see, filtered by `package_type` and `visibility`. */
async function listPackages(ac: ApiContext, request: FastifyRequest, principal: Principal, ownerId: number) {
  const query = request.query as { package_type?: string; visibility?: string };
  const format = query.package_type ? ac.format(query.package_type) : undefined;
  const visible = await ac.visible(principal, await ac.deps.core.packages.queries.listByOwner(ownerId, { format: format?.id }));
  const filtered = query.visibility ? visible.filter((p) => effectiveVisibility(p) === query.visibility) : visible;
  return Promise.all(filtered.map((p) => ac.describe(p, request)));
}

/** The route path of one package of a user (`users`) or an organization (`orgs`). */
export const packagePath = (scope: OwnerScope) => `/${scope}/:owner/packages/:type/:name`;
/** The package a request's path names. */
export const paramsOf = (scope: OwnerScope, request: FastifyRequest): PackageParams => ({ scope, ...(request.params as Omit<PackageParams, 'scope'>) });

/** One package: read, change visibility, delete, restore, and its format's settings. */
function registerPackageResource(api: FastifyInstance, ac: ApiContext, scope: OwnerScope): void {
  const { core, urls, formats } = ac.deps;
  const queries = core.packages.queries;
  const base = packagePath(scope);

  api.get(base, async (request) => {
    const { pkg } = await ac.package(request, paramsOf(scope, request));
    const [summary, versions, tags] = await Promise.all([ac.describe(pkg, request), queries.versions(pkg.id), queries.tags(pkg.id)]);
    const latestId = tags.find((t) => t.name === 'latest')?.versionId ?? versions[versions.length - 1]?.id;
    const latest = versions.find((v) => v.id === latestId);
    return { ...summary, latest_version: latest ? presentVersion(pkg, latest, tags, urls.base(request), formats.find(pkg.format)) : null };
  });

  api.patch(base, async (request) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    formats.requireWritable(pkg.format);
    const body = (request.body ?? {}) as { visibility?: unknown; inherit_access?: unknown };
    if (body.visibility === undefined && body.inherit_access === undefined) throw new KuraError('BAD_REQUEST', 'give "visibility" ("public" or "private") or "inherit_access" (true or false)');
    if (body.visibility !== undefined && body.visibility !== 'public' && body.visibility !== 'private') throw new KuraError('BAD_REQUEST', '"visibility" must be "public" or "private"');
    if (body.inherit_access !== undefined && typeof body.inherit_access !== 'boolean') throw new KuraError('BAD_REQUEST', '"inherit_access" must be true or false');
    let current = pkg;
    if (typeof body.inherit_access === 'boolean') current = await core.packages.setAccessInheritance(principal, current, body.inherit_access);
    if (body.visibility === 'public' || body.visibility === 'private') await core.packages.setVisibility(principal, current, body.visibility);
    return ac.describe((await queries.findById(pkg.id))!, request);
  });

  api.delete(base, async (request, reply) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    formats.requireWritable(pkg.format);
    await core.packages.deletePackage(principal, pkg);
    return reply.status(204).send();
  });

  api.post(`${base}/restore`, async (request, reply) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request), true);
    formats.requireWritable(pkg.format);
    await core.packages.restorePackage(principal, pkg);
    return reply.status(204).send();
  });

  const settingsOf = (pkg: PackageRecord) => {
    const settings = formats.find(pkg.format)?.packageSettings;
    const ctx = ac.deps.formatContexts.get(pkg.format);
    if (!settings || !ctx) throw new KuraError('NOT_FOUND', `${pkg.format} packages have no settings`);
    return { settings, ctx };
  };

  api.get(`${base}/settings`, async (request) => {
    const { pkg } = await ac.package(request, paramsOf(scope, request));
    const { settings, ctx } = settingsOf(pkg);
    return settings.read(ctx, pkg);
  });

  api.patch(`${base}/settings`, async (request) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    const { settings, ctx } = settingsOf(pkg);
    formats.requireWritable(pkg.format);
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new KuraError('BAD_REQUEST', 'the body must be a JSON object of settings');
    return settings.write(ctx, principal, pkg, body as Record<string, unknown>);
  });
}

/** A package's versions: list (active or deleted), one, delete and restore. */
function registerVersionResource(api: FastifyInstance, ac: ApiContext, scope: OwnerScope): void {
  const { core, urls, formats } = ac.deps;
  const queries = core.packages.queries;
  const base = `${packagePath(scope)}/versions`;
  const versionId = (request: FastifyRequest) => (request.params as { id: string }).id;

  api.get(base, async (request) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    const { state } = request.query as { state?: string };
    if (state !== undefined && state !== 'active' && state !== 'deleted') throw new KuraError('BAD_REQUEST', '"state" must be active or deleted');
    if (state === 'deleted') await core.access.authorize(principal, 'delete', packageSubject(pkg));
    const [versions, tags] = await Promise.all([queries.versions(pkg.id, state === 'deleted'), queries.tags(pkg.id)]);
    const selected = versions.filter((v) => (state === 'deleted' ? v.deletedAt !== null && !v.purgedAt : v.deletedAt === null));
    return selected.reverse().map((v) => presentVersion(pkg, v, tags, urls.base(request), formats.find(pkg.format)));
  });

  api.get(`${base}/:id`, async (request) => {
    const { pkg } = await ac.package(request, paramsOf(scope, request));
    const version = await ac.version(pkg, versionId(request));
    if (version.deletedAt) throw new KuraError('NOT_FOUND', `version ${version.id} not found`);
    return presentVersion(pkg, version, await queries.tags(pkg.id), urls.base(request), formats.find(pkg.format));
  });

  api.delete(`${base}/:id`, async (request, reply) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    formats.requireWritable(pkg.format);
    await core.packages.deleteVersion(principal, pkg, await ac.version(pkg, versionId(request)));
    return reply.status(204).send();
  });

  api.post(`${base}/:id/restore`, async (request, reply) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    formats.requireWritable(pkg.format);
    await core.packages.restoreVersion(principal, pkg, await ac.version(pkg, versionId(request)));
    return reply.status(204).send();
  });
}
