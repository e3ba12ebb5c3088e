import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../../../core/access/principal.js';
import type { Core } from '../../../core/core.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import { packageTarget, type PackageRecord } from '../../../core/packages/package.js';
import { parseExpiresIn } from '../../../core/tokens/token-service.js';
import type { PackageFormat } from '../../../formats/contract.js';
import type { Authenticator } from '../../authenticate.js';
import type { UrlBuilder } from '../../../delivery/url-builder.js';
import { presentOwner, presentPackage, presentToken, presentVersion } from './presenters.js';

export interface ApiDeps {
  core: Core;
  formats: readonly PackageFormat[];
  authenticate: Authenticator;
  urls: UrlBuilder;
}

type OwnerScope = 'users' | 'orgs';
interface PackageParams { scope: OwnerScope; owner: string; type: string; name: string }

/**
 * The REST API at /api/v1: JSON in and out, errors as `{ "error": { "code", "message" } }`.
 * Accepts a token (`Authorization: Bearer …`) or Basic with a password.
 */
export async function registerApiV1(api: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { core, urls } = deps;
  const queries = core.packages.queries;
  api.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, text, done) => {
    if (text === '' || text === undefined) return done(null, {});
    try {
      done(null, JSON.parse(String(text)));
    } catch {
      done(new KuraError('MALFORMED_JSON', 'the request body is not valid JSON'), undefined);
    }
  });

  const principalOf = (request: FastifyRequest) => deps.authenticate(request, { allowPassword: true });
  const requireUser = async (request: FastifyRequest) => {
    const principal = await principalOf(request);
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', 'authentication required');
    return principal;
  };

  const formatById = (id: string) => deps.formats.find((f) => f.id === id);
  const formatOf = (type: string): PackageFormat => {
    const format = deps.formats.find((f) => f.id === type);
    if (!format) throw new KuraError('BAD_REQUEST', `unknown package_type "${type}" (known: ${deps.formats.map((f) => f.id).join(', ')})`);
    return format;
  };

  const ownerOf = async (scope: OwnerScope, login: string, principal: Principal) => {
    const owner = await core.owners.find(login);
    const kind = scope === 'orgs' ? 'org' : 'user';
    if (!owner || owner.kind !== kind) {
      if (principal.kind === 'anonymous') throw new KuraError('UNAUTHENTICATED', 'authentication required');
      throw new KuraError('NOT_FOUND', `no ${scope === 'orgs' ? 'organization' : 'user'} named "${login}"`);
    }
    return owner;
  };

  const describe = async (pkg: PackageRecord, request: FastifyRequest) => {
    const [versions, downloads] = await Promise.all([queries.versions(pkg.id), queries.downloadTotal(pkg.id)]);
    return presentPackage(pkg, urls.base(request), { versionCount: versions.length, downloadCount: downloads });
  };

  /** Finds a package the caller may read (or, with includeDeleted, manage). */
  const packageOf = async (request: FastifyRequest, params: PackageParams, includeDeleted = false) => {
    const principal = await principalOf(request);
    const owner = await ownerOf(params.scope, params.owner, principal);
    const format = formatOf(params.type);
    const nameLower = format.normalizeName(owner.login, params.name);
    const pkg = nameLower ? await queries.find(format.id, owner.login, nameLower, includeDeleted) : null;
    if (!pkg) {
      if (principal.kind === 'anonymous') throw new KuraError('UNAUTHENTICATED', 'authentication required');
      throw new KuraError('NOT_FOUND', `${format.id} package ${params.name} not found`);
    }
    if (!pkg.deletedAt) await core.access.authorizePackage(principal, 'read', packageTarget(pkg));
    else await core.access.authorizePackage(principal, 'delete', packageTarget(pkg)).catch((error: unknown) => {
      if (error instanceof KuraError && (error.code === 'FORBIDDEN' || error.code === 'MISSING_SCOPE')) throw new KuraError('NOT_FOUND', `${format.id} package ${params.name} not found`);
      throw error;
    });
    return { pkg, principal };
  };

  const versionOf = async (pkg: PackageRecord, id: string) => {
    const version = await queries.versionById(Number(id));
    if (!version || version.packageId !== pkg.id || version.purgedAt) throw new KuraError('NOT_FOUND', `version ${id} not found`);
    return version;
  };

  api.get('/user', async (request) => presentOwner((await requireUser(request)).user));

  api.get('/user/tokens', async (request) => {
    const principal = await requireUser(request);
    return (await core.tokens.list(principal.user.id)).map(presentToken);
  });

  api.post('/user/tokens', async (request, reply) => {
    const principal = await requireUser(request);
    if (principal.tokenId !== null && !principal.scopes.has('admin')) {
      throw new KuraError('MISSING_SCOPE', 'creating tokens needs a password or a token with the admin scope');
    }
    const body = (request.body ?? {}) as { name?: unknown; scopes?: unknown; expires_in?: unknown; repository?: unknown };
    if (!Array.isArray(body.scopes) && typeof body.scopes !== 'string') throw new KuraError('BAD_REQUEST', '"scopes" is required, e.g. ["read:packages"]');
    const expiresAt = typeof body.expires_in === 'string' ? parseExpiresIn(body.expires_in, core.deps.now()) : null;
    let repoId: number | null = null;
    if (typeof body.repository === 'string') {
      const repo = await core.repos.require(body.repository);
      repoId = repo.id;
    }
    const { token, record } = await core.tokens.create({
      userId: principal.user.id,
      name: typeof body.name === 'string' ? body.name : undefined,
      scopes: body.scopes as string[] | string,
      expiresAt,
      repoId,
    }, principal.user.id);
    return reply.status(201).send({ ...presentToken(record), token });
  });

  api.delete('/user/tokens/:id', async (request, reply) => {
    const principal = await requireUser(request);
    const { id } = request.params as { id: string };
    await core.tokens.revoke(Number(id), principal.user.id, principal.user.id);
    return reply.status(204).send();
  });

  const listPackages = async (request: FastifyRequest, principal: Principal, ownerId: number) => {
    const query = request.query as { package_type?: string; visibility?: string };
    const format = query.package_type ? formatOf(query.package_type) : undefined;
    const all = await queries.listByOwner(ownerId, { format: format?.id });
    const visible: PackageRecord[] = [];
    for (const pkg of all) if (await core.access.canReadPackage(principal, packageTarget(pkg))) visible.push(pkg);
    const filtered = query.visibility ? visible.filter((p) => (p.repo?.visibility ?? p.visibility) === query.visibility) : visible;
    return Promise.all(filtered.map((p) => describe(p, request)));
  };

  api.get('/user/packages', async (request) => {
    const principal = await requireUser(request);
    return listPackages(request, principal, principal.user.id);
  });

  for (const scope of ['users', 'orgs'] as const) {
    api.get(`/${scope}/:owner/packages`, async (request) => {
      const principal = await principalOf(request);
      const { owner: login } = request.params as { owner: string };
      const owner = await ownerOf(scope, login, principal);
      return listPackages(request, principal, owner.id);
    });

    const base = `/${scope}/:owner/packages/:type/:name`;
    const params = (request: FastifyRequest): PackageParams => ({ scope, ...(request.params as Omit<PackageParams, 'scope'>) });

    api.get(base, async (request) => {
      const { pkg } = await packageOf(request, params(request));
      const [summary, versions, tags] = await Promise.all([describe(pkg, request), queries.versions(pkg.id), queries.tags(pkg.id)]);
      const latestId = tags.find((t) => t.name === 'latest')?.versionId ?? versions[versions.length - 1]?.id;
      const latest = versions.find((v) => v.id === latestId);
      return { ...summary, latest_version: latest ? presentVersion(pkg, latest, tags, urls.base(request), formatById(pkg.format)) : null };
    });

    api.patch(base, async (request) => {
      const { pkg, principal } = await packageOf(request, params(request));
      const body = (request.body ?? {}) as { visibility?: unknown };
      if (body.visibility !== 'public' && body.visibility !== 'private') throw new KuraError('BAD_REQUEST', '"visibility" must be "public" or "private"');
      await core.packages.setVisibility(principal, pkg, body.visibility);
      return describe((await queries.findById(pkg.id))!, request);
    });

    api.delete(base, async (request, reply) => {
      const { pkg, principal } = await packageOf(request, params(request));
      await core.packages.deletePackage(principal, pkg);
      return reply.status(204).send();
    });

    api.post(`${base}/restore`, async (request, reply) => {
      const { pkg, principal } = await packageOf(request, params(request), true);
      await core.packages.restorePackage(principal, pkg);
      return reply.status(204).send();
    });

    const settingsOf = (pkg: PackageRecord) => {
      const settings = formatById(pkg.format)?.packageSettings;
      if (!settings) throw new KuraError('NOT_FOUND', `${pkg.format} packages have no settings`);
      return settings;
    };

    api.get(`${base}/settings`, async (request) => {
      const { pkg } = await packageOf(request, params(request));
      return settingsOf(pkg).read(core, pkg);
    });

    api.patch(`${base}/settings`, async (request) => {
      const { pkg, principal } = await packageOf(request, params(request));
      await core.access.authorizePackage(principal, 'delete', packageTarget(pkg));
      const body = request.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new KuraError('BAD_REQUEST', 'the body must be a JSON object of settings');
      return settingsOf(pkg).write(core, pkg, body as Record<string, unknown>, principal.kind === 'user' ? principal.user.id : null);
    });

    api.get(`${base}/versions`, async (request) => {
      const { pkg, principal } = await packageOf(request, params(request));
      const { state } = request.query as { state?: string };
      if (state !== undefined && state !== 'active' && state !== 'deleted') throw new KuraError('BAD_REQUEST', '"state" must be active or deleted');
      if (state === 'deleted') await core.access.authorizePackage(principal, 'delete', packageTarget(pkg));
      const [versions, tags] = await Promise.all([queries.versions(pkg.id, state === 'deleted'), queries.tags(pkg.id)]);
      const selected = versions.filter((v) => (state === 'deleted' ? v.deletedAt !== null && !v.purgedAt : v.deletedAt === null));
      return selected.reverse().map((v) => presentVersion(pkg, v, tags, urls.base(request), formatById(pkg.format)));
    });

    api.get(`${base}/versions/:id`, async (request) => {
      const { pkg } = await packageOf(request, params(request));
      const version = await versionOf(pkg, (request.params as { id: string }).id);
      if (version.deletedAt) throw new KuraError('NOT_FOUND', `version ${version.id} not found`);
      return presentVersion(pkg, version, await queries.tags(pkg.id), urls.base(request), formatById(pkg.format));
    });

    api.delete(`${base}/versions/:id`, async (request, reply) => {
      const { pkg, principal } = await packageOf(request, params(request));
      const version = await versionOf(pkg, (request.params as { id: string }).id);
      await core.packages.deleteVersion(principal, pkg, version);
      return reply.status(204).send();
    });

    api.post(`${base}/versions/:id/restore`, async (request, reply) => {
      const { pkg, principal } = await packageOf(request, params(request));
      const version = await versionOf(pkg, (request.params as { id: string }).id);
      await core.packages.restoreVersion(principal, pkg, version);
      return reply.status(204).send();
    });
  }

  api.get('/repos/:owner/:repo/packages', async (request) => {
    const principal = await principalOf(request);
    const { owner: login, repo: name } = request.params as { owner: string; repo: string };
    const repo = await core.repos.find(login, name);
    if (!repo) {
      if (principal.kind === 'anonymous') throw new KuraError('UNAUTHENTICATED', 'authentication required');
      throw new KuraError('NOT_FOUND', `repository ${login}/${name} not found`);
    }
    const owner = (await core.owners.findById(repo.ownerId))!;
    await core.access.authorizeRepoRead(principal, { id: owner.id, login: owner.login, kind: owner.kind }, repo);
    const packages = await queries.listByOwner(repo.ownerId, { repoId: repo.id });
    return Promise.all(packages.map((p) => describe(p, request)));
  });
}
