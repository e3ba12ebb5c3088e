import type { FastifyRequest } from 'fastify';
import { ownerTarget } from '../../../core/access/access-policy.js';
import type { Principal } from '../../../core/access/principal.js';
import type { Core } from '../../../core/core.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import type { Owner } from '../../../core/owners/owner.js';
import { packageSubject, type PackageRecord, type VersionRecord } from '../../../core/packages/package.js';
import type { UrlBuilder } from '../../../delivery/url-builder.js';
import type { FormatCatalog } from '../../../formats/catalog.js';
import type { AnyPackageFormat, FormatContext } from '../../../formats/contract.js';
import type { Authenticator } from '../../authenticate.js';
import { presentPackage } from './presenters.js';

export interface ApiDeps {
  core: Core;
  formats: FormatCatalog;
  /** Each format's context, for its package settings. */
  formatContexts: ReadonlyMap<string, FormatContext<unknown>>;
  authenticate: Authenticator;
  urls: UrlBuilder;
}

export type OwnerScope = 'users' | 'orgs';
export interface PackageParams { scope: OwnerScope; owner: string; type: string; name: string }

/** The lookups every API route shares; each asks the access module and renders nothing itself. */
export class ApiContext {
  constructor(readonly deps: ApiDeps) {}

  /** The caller: a token, or Basic with a password. */
  principal(request: FastifyRequest): Promise<Principal> {
    return this.deps.authenticate(request, { allowPassword: true });
  }

  /** @throws KuraError UNAUTHENTICATED for anonymous callers */
  async user(request: FastifyRequest): Promise<Extract<Principal, { kind: 'user' }>> {
    const principal = await this.principal(request);
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', 'authentication required');
    return principal;
  }

  /** The request's JSON body as an object (empty when there is none). @throws KuraError BAD_REQUEST for any other JSON */
  objectBody(request: FastifyRequest): Record<string, unknown> {
    const body = request.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw new KuraError('BAD_REQUEST', 'the body must be a JSON object');
    return body as Record<string, unknown>;
  }

  /** The format a `package_type` names. @throws KuraError BAD_REQUEST for an unknown type, FORMAT_DISABLED */
  format(type: string): AnyPackageFormat {
    const format = this.deps.formats.find(type);
    if (!format) throw new KuraError('BAD_REQUEST', `unknown package_type "${type}" (known: ${this.deps.formats.all.map((f) => f.id).join(', ')})`);
    this.deps.formats.requireVisible(format.id);
    return format;
  }

  /** The user or organization a path names. @throws KuraError UNAUTHENTICATED, NOT_FOUND */
  async owner(scope: OwnerScope, login: string, principal: Principal): Promise<Owner> {
    const owner = await this.deps.core.owners.find(login);
    const kind = scope === 'orgs' ? 'org' : 'user';
    if (owner && owner.kind === kind) return owner;
    const what = scope === 'orgs' ? 'organization' : 'user';
    return this.deps.core.access.authorize(principal, 'read', { kind: 'missing', label: `${what} ${login}`, notFound: `no ${what} named "${login}"` });
  }

  /**
   * The package a path names, once the caller may read it; with `includeDeleted`, a deleted
   * package too, which only those who may restore it see.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORMAT_DISABLED
   */
  async package(request: FastifyRequest, params: PackageParams, includeDeleted = false): Promise<{ pkg: PackageRecord; principal: Principal }> {
    const { core } = this.deps;
    const principal = await this.principal(request);
    const owner = await this.owner(params.scope, params.owner, principal);
    const format = this.format(params.type);
    const nameLower = format.normalizeName(owner.login, params.name);
    const pkg = nameLower ? await core.packages.queries.find(format.id, owner.login, nameLower, includeDeleted) : null;
    if (!pkg) return core.access.authorize(principal, 'read', { kind: 'missing', label: `${format.id} package ${params.name}` });
    await core.access.authorize(principal, 'read', packageSubject(pkg));
    return { pkg, principal };
  }

  /** A version of `pkg` by id (deleted ones included, purged ones not). @throws KuraError NOT_FOUND */
  async version(pkg: PackageRecord, id: string): Promise<VersionRecord> {
    const version = await this.deps.core.packages.queries.versionById(Number(id));
    if (!version || version.packageId !== pkg.id || version.purgedAt) throw new KuraError('NOT_FOUND', `version ${id} not found`);
    return version;
  }

  /** The packages among `packages` the caller may see: of a visible format and readable. */
  async visible(principal: Principal, packages: readonly PackageRecord[]): Promise<PackageRecord[]> {
    const { core, formats } = this.deps;
    const visible: PackageRecord[] = [];
    for (const pkg of packages) {
      if (formats.isVisible(pkg.format) && (await core.access.permits(principal, 'read', packageSubject(pkg)))) visible.push(pkg);
    }
    return visible;
  }

  /** The API's summary of a package, with its version and download counts. */
  async describe(pkg: PackageRecord, request: FastifyRequest) {
    const queries = this.deps.core.packages.queries;
    const [versions, downloads] = await Promise.all([queries.versions(pkg.id), queries.downloadTotal(pkg.id)]);
    return presentPackage(pkg, this.deps.urls.base(request), { versionCount: versions.length, downloadCount: downloads });
  }

  /** The repository a path names, once the caller may read it. @throws KuraError UNAUTHENTICATED, NOT_FOUND */
  async repository(principal: Principal, login: string, name: string) {
    const { core } = this.deps;
    const repo = await core.repos.find(login, name);
    if (!repo) return core.access.authorize(principal, 'read', { kind: 'missing', label: `repository ${login}/${name}` });
    const owner = (await core.owners.findById(repo.ownerId))!;
    await core.access.authorize(principal, 'read', { kind: 'repository', owner: ownerTarget(owner), repo });
    return repo;
  }
}
