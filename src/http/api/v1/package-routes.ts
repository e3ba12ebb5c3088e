import { Type, type Static, type TProperties } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import { packageSubject, type PackageRecord } from '../../../core/packages/package.js';
import type { ApiContext, OwnerScope, PackageParams } from './api-context.js';
import { dayRange, presentDownloads } from './download-ranges.js';
import { access, operation } from './operations.js';
import { pageQuery, pageRequest, queryParam, setPageLinks } from './pagination.js';
import { presentVersion } from './presenters.js';
import { ListOf, NoContent, Ref, StringEnum } from './schemas.js';

/** The filters and paging of a package list. */
export const packageListQuery = Type.Object({
  package_type: Type.Optional(Ref('PackageType', { description: 'only packages of this type (every type when left out)' })),
  visibility: Type.Optional(StringEnum(['public', 'private'] as const, { description: 'only public or only private packages' })),
  ...pageQuery,
});

/** The parameters of a package's path under `scope`, and `extra` ones after them. */
export function packageParams(scope: OwnerScope, extra: TProperties = {}) {
  return Type.Object({
    ...(scope === 'user' ? {} : { owner: Type.String({ description: scope === 'orgs' ? 'the organization' : 'the user' }) }),
    type: Ref('PackageType', { description: 'the package’s type' }),
    name: Type.String({ description: 'the package’s name, URL-encoded (`%40alice%2Fwidget`, `com.example%3Awidget`)' }),
    ...extra,
  });
}

/** An operation id per scope: GitHub's where it has the operation (`…-for-user`, `…-for-org`, `…-for-authenticated-user`). */
export const scoped = (scope: OwnerScope, names: Record<OwnerScope, string>) => names[scope];
/** Kura's own operations: `packages/NAME-for-user` and so on. */
export const scopedKura = (scope: OwnerScope, name: string) => `packages/${name}-${scope === 'users' ? 'for-user' : scope === 'orgs' ? 'for-org' : 'for-authenticated-user'}`;
/** Whose package: "a user's", "an organization's", "the caller's". */
export const whose = (scope: OwnerScope) => (scope === 'users' ? 'a user’s' : scope === 'orgs' ? 'an organization’s' : 'the caller’s');

const downloadsQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date', description: 'the first day (UTC); 30 days before `to` when left out' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'the last day (UTC); today when left out; at most 366 days after `from`' })),
});

/**
 * Packages of users, organizations and the caller, shaped like GitHub's packages API: lists
 * (filtered by `package_type` and `visibility`, paged by `page` and `per_page` with `Link`
 * headers), one package, visibility, delete and restore, format settings, versions, and Kura's
 * per-day downloads of a package or a version.
 */
export function registerPackageRoutes(api: FastifyInstance, ac: ApiContext): void {
  const list = (scope: OwnerScope) => ({
    operationId: scoped(scope, { users: 'packages/list-packages-for-user', orgs: 'packages/list-packages-for-organization', user: 'packages/list-packages-for-authenticated-user' }),
    summary: `List ${whose(scope)} packages`,
    description: 'Packages the caller may see, by name, with `version_count` and `download_count`. Paged.',
    tags: ['packages' as const],
    querystring: packageListQuery,
    response: { 200: ListOf('Package', 'One page of packages.') },
  });

  api.get('/user/packages', operation({ ...list('user'), security: access.signedIn('read:packages') }), async (request, reply) => {
    const principal = await ac.user(request);
    return ac.listPackages(request, reply, principal, principal.user);
  });

  for (const scope of ['users', 'orgs'] as const) {
    api.get(`/${scope}/:owner/packages`, operation({
      ...list(scope),
      security: access.anyone('read:packages'),
      params: Type.Object({ owner: Type.String({ description: scope === 'orgs' ? 'the organization' : 'the user' }) }),
    }), async (request, reply) => {
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

const packageChange = Type.Object({
  visibility: Type.Optional(StringEnum(['public', 'private'] as const, { description: 'for a package with access of its own' })),
  inherit_access: Type.Optional(Type.Boolean({ description: 'linked packages: whether it follows its repository’s visibility and permissions' })),
});

/** One package: read, change visibility, delete, restore, its format's settings and its downloads. */
function registerPackageResource(api: FastifyInstance, ac: ApiContext, scope: OwnerScope): void {
  const { core, urls, formats } = ac.deps;
  const queries = core.packages.queries;
  const base = packagePath(scope);
  const params = packageParams(scope);
  const reader = scope === 'user' ? access.signedIn('read:packages') : access.anyone('read:packages');

  api.get(base, operation({
    operationId: scoped(scope, { users: 'packages/get-package-for-user', orgs: 'packages/get-package-for-organization', user: 'packages/get-package-for-authenticated-user' }),
    summary: `Get ${whose(scope)} package`,
    description: 'With its latest version.',
    tags: ['packages'],
    security: reader,
    params,
    response: { 200: Ref('PackageDetail') },
  }), async (request) => {
    const { pkg } = await ac.package(request, paramsOf(scope, request));
    const [summary, tags] = await Promise.all([ac.describe(pkg, request), queries.tags(pkg.id)]);
    const latestId = tags.find((t) => t.name === 'latest')?.versionId;
    const latest = latestId !== undefined ? await queries.versionById(latestId) : (await queries.versionRecordsPage(pkg.id, 'active', { offset: 0, limit: 1 })).items[0];
    return { ...summary, latest_version: latest ? presentVersion(pkg, latest, tags, urls.base(request), formats.find(pkg.format)) : null };
  });

  api.patch(base, operation({
    operationId: scopedKura(scope, 'update-package'),
    summary: `Change ${whose(scope)} package’s visibility or access inheritance`,
    description: 'Give `visibility` (a package with access of its own; a public package downloaded more than the protection threshold becomes private only by a site admin) or `inherit_access` (a linked package’s admins).',
    tags: ['packages'],
    security: access.signedIn('delete:packages'),
    params,
    body: packageChange,
    response: { 200: Ref('Package') },
  }), async (request) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    formats.requireWritable(pkg.format);
    const body = request.body as Static<typeof packageChange>;
    if (body.visibility === undefined && body.inherit_access === undefined) throw new KuraError('BAD_REQUEST', 'give "visibility" ("public" or "private") or "inherit_access" (true or false)');
    let current = pkg;
    if (body.inherit_access !== undefined) current = await core.packages.setAccessInheritance(principal, current, body.inherit_access);
    if (body.visibility !== undefined) await core.packages.setVisibility(principal, current, body.visibility);
    return ac.describe((await queries.findById(pkg.id))!, request);
  });

  api.delete(base, operation({
    operationId: scoped(scope, { users: 'packages/delete-package-for-user', orgs: 'packages/delete-package-for-org', user: 'packages/delete-package-for-authenticated-user' }),
    summary: `Delete ${whose(scope)} package`,
    description: 'A soft delete: the package and its versions can be restored within the restore window.',
    tags: ['packages'],
    security: access.signedIn('delete:packages'),
    params,
    response: { 204: NoContent('Deleted.') },
  }), async (request, reply) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    formats.requireWritable(pkg.format);
    await core.packages.deletePackage(principal, pkg);
    return reply.status(204).send();
  });

  api.post(`${base}/restore`, operation({
    operationId: scoped(scope, { users: 'packages/restore-package-for-user', orgs: 'packages/restore-package-for-org', user: 'packages/restore-package-for-authenticated-user' }),
    summary: `Restore ${whose(scope)} deleted package`,
    description: 'Within the restore window (GitHub’s `token` parameter is not needed).',
    tags: ['packages'],
    security: access.signedIn('delete:packages'),
    params,
    response: { 204: NoContent('Restored.') },
    errors: [409, 410],
  }), async (request, reply) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request), true);
    formats.requireWritable(pkg.format);
    await core.packages.restorePackage(principal, pkg);
    return reply.status(204).send();
  });

  api.get(`${base}/downloads`, operation({
    operationId: scopedKura(scope, 'get-package-downloads'),
    summary: `Downloads per day of ${whose(scope)} package`,
    description: 'Every day of the range listed (0 for days without downloads), all versions counted.',
    tags: ['packages'],
    security: reader,
    params,
    querystring: downloadsQuery,
    response: { 200: Ref('Downloads') },
  }), async (request) => {
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

  api.get(`${base}/settings`, operation({
    operationId: scopedKura(scope, 'get-package-settings'),
    summary: `The format settings of ${whose(scope)} package`,
    description: 'Containers have `untagged_retention_days`; formats without settings answer 404.',
    tags: ['packages'],
    security: reader,
    params,
    response: { 200: Ref('PackageSettings') },
  }), async (request) => {
    const { pkg } = await ac.package(request, paramsOf(scope, request));
    const { settings, ctx } = settingsOf(pkg);
    return settings.read(ctx, pkg);
  });

  api.patch(`${base}/settings`, operation({
    operationId: scopedKura(scope, 'update-package-settings'),
    summary: `Change the format settings of ${whose(scope)} package`,
    description: 'Its admins. Containers: `{"untagged_retention_days": N or null}`.',
    tags: ['packages'],
    security: access.signedIn('write:packages'),
    params,
    body: Ref('PackageSettings'),
    response: { 200: Ref('PackageSettings') },
  }), async (request) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    const { settings, ctx } = settingsOf(pkg);
    formats.requireWritable(pkg.format);
    return settings.write(ctx, principal, pkg, request.body as Record<string, unknown>);
  });
}

/** A package's versions: list (active or deleted, paged), one, its downloads, delete and restore. */
function registerVersionResource(api: FastifyInstance, ac: ApiContext, scope: OwnerScope): void {
  const { core, urls, formats } = ac.deps;
  const queries = core.packages.queries;
  const base = `${packagePath(scope)}/versions`;
  const versionId = (request: FastifyRequest) => (request.params as { id: string }).id;
  const params = packageParams(scope);
  const versionParams = packageParams(scope, { id: Type.String({ description: 'the version’s id' }) });
  const reader = scope === 'user' ? access.signedIn('read:packages') : access.anyone('read:packages');

  api.get(base, operation({
    operationId: scoped(scope, {
      users: 'packages/get-all-package-versions-for-package-owned-by-user',
      orgs: 'packages/get-all-package-versions-for-package-owned-by-org',
      user: 'packages/get-all-package-versions-for-package-owned-by-authenticated-user',
    }),
    summary: `List the versions of ${whose(scope)} package`,
    description: 'Newest first. Deleted versions (`state=deleted`) are listed to those who may restore them. Paged.',
    tags: ['packages'],
    security: reader,
    params,
    querystring: Type.Object({ state: Type.Optional(StringEnum(['active', 'deleted'] as const, { default: 'active', description: 'live or deleted versions' })), ...pageQuery }),
    response: { 200: ListOf('PackageVersion', 'One page of versions.') },
  }), async (request, reply) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    const state = (queryParam(request, 'state') ?? 'active') as 'active' | 'deleted';
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

  api.get(`${base}/:id`, operation({
    operationId: scoped(scope, { users: 'packages/get-package-version-for-user', orgs: 'packages/get-package-version-for-organization', user: 'packages/get-package-version-for-authenticated-user' }),
    summary: `Get a version of ${whose(scope)} package`,
    tags: ['packages'],
    security: reader,
    params: versionParams,
    response: { 200: Ref('PackageVersion') },
  }), async (request) => {
    const { pkg, version } = await liveVersion(request);
    return presentVersion(pkg, version, await queries.tags(pkg.id), urls.base(request), formats.find(pkg.format));
  });

  api.get(`${base}/:id/downloads`, operation({
    operationId: scopedKura(scope, 'get-package-version-downloads'),
    summary: `Downloads per day of a version of ${whose(scope)} package`,
    tags: ['packages'],
    security: reader,
    params: versionParams,
    querystring: downloadsQuery,
    response: { 200: Ref('Downloads') },
  }), async (request) => {
    const { version } = await liveVersion(request);
    const range = dayRange(request, core.deps.now());
    return presentDownloads(range, await core.downloads.dailyInRange({ versionId: version.id }, range.from, range.to));
  });

  api.delete(`${base}/:id`, operation({
    operationId: scoped(scope, { users: 'packages/delete-package-version-for-user', orgs: 'packages/delete-package-version-for-org', user: 'packages/delete-package-version-for-authenticated-user' }),
    summary: `Delete a version of ${whose(scope)} package`,
    description: 'A soft delete, restorable within the restore window. A public version downloaded more than the protection threshold is deleted only by a site admin.',
    tags: ['packages'],
    security: access.signedIn('delete:packages'),
    params: versionParams,
    response: { 204: NoContent('Deleted.') },
  }), async (request, reply) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    formats.requireWritable(pkg.format);
    await core.packages.deleteVersion(principal, pkg, await ac.version(pkg, versionId(request)));
    return reply.status(204).send();
  });

  api.post(`${base}/:id/restore`, operation({
    operationId: scoped(scope, { users: 'packages/restore-package-version-for-user', orgs: 'packages/restore-package-version-for-org', user: 'packages/restore-package-version-for-authenticated-user' }),
    summary: `Restore a deleted version of ${whose(scope)} package`,
    tags: ['packages'],
    security: access.signedIn('delete:packages'),
    params: versionParams,
    response: { 204: NoContent('Restored.') },
    errors: [409, 410],
  }), async (request, reply) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    formats.requireWritable(pkg.format);
    await core.packages.restoreVersion(principal, pkg, await ac.version(pkg, versionId(request)));
    return reply.status(204).send();
  });
}
