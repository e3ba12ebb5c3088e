import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import { packageSubject, type PackageRecord } from '../../../core/packages/package.js';
import type { ApiContext, OwnerScope, PackageParams } from './api-context.js';
import { dayRange, presentDownloads } from './download-ranges.js';
import { pageRequest, queryParam, setPageLinks } from './pagination.js';
import { presentVersion } from './presenters.js';

/**
 * Packages of users, organizations and the caller, shaped like GitHub's packages API: lists
 * (filtered by `package_type` and `visibility`, paged by `page` and `per_page` with `Link`
 * headers), one package, visibility, delete and restore, format settings, versions, and Kura's
 * per-day downloads of a package or a version.
 */
export function registerPackageRoutes(api: FastifyInstance, ac: ApiContext): void {
  api.get('/user/packages', async (request, reply) => {
    const principal = await ac.user(request);
    return ac.listPackages(request, reply, principal, principal.user);
  });

  for (const scope of ['users', 'orgs'] as const) {
    api.get(`/${scope}/:owner/packages`, async (request, reply) => {
      const principal = await ac.principal(request);
      const owner = await ac.owner(scope, (request.params as { owner: string }).owner, principal);
      return ac.listPackages(request, reply, principal, owner);
    });
  }

  for (const scope of ['users', 'orgs', 'user'] as const) {
    registerPackageResource(api, ac, scope);
    registerVersionResource(api, ac, scope);
  }
}

/** The route path of one package of a user (`users`), an organization (`orgs`) or the caller (`user`). */
export const packagePath = (scope: OwnerScope) => (scope === 'user' ? '/user/packages/:type/:name' : `/${scope}/:owner/packages/:type/:name`);
/** The package a request's path names. */
export const paramsOf = (scope: OwnerScope, request: FastifyRequest): PackageParams => ({ scope, ...(request.params as Omit<PackageParams, 'scope'>) });

/** One package: read, change visibility, delete, restore, its format's settings and its downloads. */
function registerPackageResource(api: FastifyInstance, ac: ApiContext, scope: OwnerScope): void {
  const { core, urls, formats } = ac.deps;
  const queries = core.packages.queries;
  const base = packagePath(scope);

  api.get(base, async (request) => {
    const { pkg } = await ac.package(request, paramsOf(scope, request));
    const [summary, tags] = await Promise.all([ac.describe(pkg, request), queries.tags(pkg.id)]);
    const latestId = tags.find((t) => t.name === 'latest')?.versionId;
    const latest = latestId !== undefined ? await queries.versionById(latestId) : (await queries.versionRecordsPage(pkg.id, 'active', { offset: 0, limit: 1 })).items[0];
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

  api.get(`${base}/downloads`, async (request) => {
    const { pkg } = await ac.package(request, paramsOf(scope, request));
    const range = dayRange(request, core.deps.now());
    return presentDownloads(range, await core.downloads.dailyInRange({ packageId: pkg.id }, range.from, range.to));
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

/** A package's versions: list (active or deleted, paged), one, its downloads, delete and restore. */
function registerVersionResource(api: FastifyInstance, ac: ApiContext, scope: OwnerScope): void {
  const { core, urls, formats } = ac.deps;
  const queries = core.packages.queries;
  const base = `${packagePath(scope)}/versions`;
  const versionId = (request: FastifyRequest) => (request.params as { id: string }).id;

  api.get(base, async (request, reply) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    const state = queryParam(request, 'state') ?? 'active';
    if (state !== 'active' && state !== 'deleted') throw new KuraError('BAD_REQUEST', `"state" must be active or deleted, not "${state}"`);
    const asked = pageRequest(request);
    if (state === 'deleted') await core.access.authorize(principal, 'delete', packageSubject(pkg));
    const [page, tags] = await Promise.all([queries.versionRecordsPage(pkg.id, state, asked), queries.tags(pkg.id)]);
    setPageLinks(reply, request, urls, asked, page.total);
    return page.items.map((v) => presentVersion(pkg, v, tags, urls.base(request), formats.find(pkg.format)));
  });

  /** A live version of the package the request names. @throws KuraError NOT_FOUND (also for deleted versions) */
  const liveVersion = async (request: FastifyRequest) => {
    const { pkg } = await ac.package(request, paramsOf(scope, request));
    const version = await ac.version(pkg, versionId(request));
    if (version.deletedAt) throw new KuraError('NOT_FOUND', `version ${version.id} not found`);
    return { pkg, version };
  };

  api.get(`${base}/:id`, async (request) => {
    const { pkg, version } = await liveVersion(request);
    return presentVersion(pkg, version, await queries.tags(pkg.id), urls.base(request), formats.find(pkg.format));
  });

  api.get(`${base}/:id/downloads`, async (request) => {
    const { version } = await liveVersion(request);
    const range = dayRange(request, core.deps.now());
    return presentDownloads(range, await core.downloads.dailyInRange({ versionId: version.id }, range.from, range.to));
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
