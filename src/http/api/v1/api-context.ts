import type { FastifyReply, FastifyRequest } from 'fastify';
import { ownerTarget, type AccessSubject } from '../../../core/access/access-policy.js';
import type { Principal } from '../../../core/access/principal.js';
import type { Core } from '../../../core/core.js';
import { isKuraError, KuraError } from '../../../core/errors/catalogue.js';
import type { Owner } from '../../../core/owners/owner.js';
import { packageSubject, type PackageRecord, type VersionRecord } from '../../../core/packages/package.js';
import type { Visibility } from '../../../core/repos/repository.js';
import type { UrlBuilder } from '../../../delivery/url-builder.js';
import type { FormatCatalog } from '../../../formats/catalog.js';
import type { AnyPackageFormat, FormatContext } from '../../../formats/contract.js';
import type { Authenticator } from '../../authenticate.js';
import { pageRequest, queryParam, setPageLinks } from './pagination.js';
import { presentPackage } from './presenters.js';

export interface ApiDeps {
  core: Core;
  formats: FormatCatalog;
  /** Each format's context, for its package settings. */
  formatContexts: ReadonlyMap<string, FormatContext<unknown>>;
  authenticate: Authenticator;
  urls: UrlBuilder;
}

/**
 * A numeric id from a path, as Kura writes them (decimal digits, no sign, no leading zero), or
 * null: `0x1`, `1e0`, ` 1` or `01` name nothing rather than the record 1.
 */
export function pathId(text: string | undefined): number | null {
  return text !== undefined && /^[1-9]\d{0,14}$/.test(text) ? Number(text) : null;
}

/** Whose packages a path names: a user's (`/users/U`), an organization's (`/orgs/O`) or the caller's own (`/user`). */
export type OwnerScope = 'users' | 'orgs' | 'user';
/** A package path's parts; `owner` is absent under `/user` (the caller). */
export interface PackageParams { scope: OwnerScope; owner?: string | undefined; type: string; name: string }

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

  /** The format a `package_type` names. @throws KuraError BAD_REQUEST for an unknown type, FORMAT_DISABLED */
  format(type: string): AnyPackageFormat {
    const format = this.deps.formats.find(type);
    if (!format) throw new KuraError('BAD_REQUEST', `unknown package_type "${type}" (known: ${this.deps.formats.all.map((f) => f.id).join(', ')})`);
    this.deps.formats.requireVisible(format.id);
    return format;
  }

  /**
   * The user or organization a path names; under `/user`, the caller.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND
   */
  async owner(scope: OwnerScope, login: string | undefined, principal: Principal): Promise<Owner> {
    if (scope === 'user' || login === undefined) {
      if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', 'authentication required');
      return principal.user;
    }
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
    const principal = params.scope === 'user' ? await this.user(request) : await this.principal(request);
    const owner = await this.owner(params.scope, params.owner, principal);
    const format = this.format(params.type);
    const nameLower = format.normalizeName(owner.login, params.name);
    const pkg = nameLower ? await core.packages.queries.find(format.id, owner.login, nameLower, includeDeleted) : null;
    const asked = `${format.id} package ${params.name}`;
    if (!pkg) return core.access.authorize(principal, 'read', { kind: 'missing', label: asked });
    await this.readAsAsked(principal, packageSubject(pkg), asked);
    return { pkg, principal };
  }

  /** A version of `pkg` by id (deleted ones included, purged ones not). @throws KuraError NOT_FOUND */
  async version(pkg: PackageRecord, id: string): Promise<VersionRecord> {
    const versionId = pathId(id);
    const version = versionId !== null ? await this.deps.core.packages.queries.versionById(versionId) : null;
    if (!version || version.packageId !== pkg.id || version.purgedAt) throw new KuraError('NOT_FOUND', `version ${id} not found`);
    return version;
  }

  /**
   * One page of `owner`'s packages the caller may see (of a format that is not disabled, and
   * readable), filtered by the request's `package_type` and `visibility` (which the route's
   * schema checked), with their version and download counts and GitHub's `Link` header: two
   * queries, however many packages.
   * @throws KuraError FORMAT_DISABLED
   */
  async listPackages(request: FastifyRequest, reply: FastifyReply, principal: Principal, owner: Owner, repoId?: number) {
    const { core, formats, urls } = this.deps;
    const type = queryParam(request, 'package_type');
    const visibility = queryParam(request, 'visibility') as Visibility | undefined;
    const asked = pageRequest(request);
    const readable = await core.access.readablePackages(principal, ownerTarget(owner));
    const page = await core.packages.queries.listPage({
      ownerId: owner.id,
      formats: type !== undefined ? [this.format(type).id] : formats.all.filter((f) => formats.isVisible(f.id)).map((f) => f.id),
      repoId,
      visibility,
      readable,
    }, asked);
    const counts = await core.packages.queries.counts(page.items.map((p) => p.id));
    setPageLinks(reply, request, urls, asked, page.total);
    return page.items.map((p) => presentPackage(p, urls.base(request), counts.get(p.id)!));
  }

  /** The API's summary of a package, with its version and download counts. */
  async describe(pkg: PackageRecord, request: FastifyRequest) {
    const counts = await this.deps.core.packages.queries.counts([pkg.id]);
    return presentPackage(pkg, this.deps.urls.base(request), counts.get(pkg.id)!);
  }

  /** The repository a path names, once the caller may read it. @throws KuraError UNAUTHENTICATED, NOT_FOUND */
  async repository(principal: Principal, login: string, name: string) {
    const { core } = this.deps;
    const repo = await core.repos.find(login, name);
    const asked = `repository ${login}/${name}`;
    if (!repo) return core.access.authorize(principal, 'read', { kind: 'missing', label: asked });
    const owner = (await core.owners.findById(repo.ownerId))!;
    await this.readAsAsked(principal, { kind: 'repository', owner: ownerTarget(owner), repo }, asked);
    return repo;
  }

  /**
   * Allows reading something that exists; a caller who may not see it is answered exactly as for
   * a missing thing named as they asked for it (`closed`, not `@acme/closed`; `acme/PRIVATE`, not
   * `acme/private`), so neither the status nor the message tells that it exists.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, MISSING_SCOPE
   */
  private async readAsAsked(principal: Principal, subject: AccessSubject, asked: string): Promise<void> {
    try {
      await this.deps.core.access.authorize(principal, 'read', subject);
    } catch (error) {
      if (isKuraError(error) && (error.code === 'NOT_FOUND' || error.code === 'UNAUTHENTICATED')) {
        return this.deps.core.access.authorize(principal, 'read', { kind: 'missing', label: asked });
      }
      throw error;
    }
  }
}
