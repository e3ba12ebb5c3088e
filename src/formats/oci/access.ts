import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../core/access/principal.js';
import type { Core } from '../../core/core.js';
import { isKuraError, KuraError } from '../../core/errors/catalogue.js';
import type { Owner } from '../../core/owners/owner.js';
import { packageLabel, packageTarget, type PackageRecord } from '../../core/packages/package.js';
import { tokenPrefix } from '../../core/tokens/token-format.js';
import { ociError } from './errors.js';
import type { ImageName } from './names.js';
import type { Grants, ImageAction, RegistryTokens } from './token.js';

/** The format id packages of container images are stored under. */
export const containerFormat = 'container';

/** Who calls a registry endpoint, and what a registry token limits them to. */
export interface RegistryCaller {
  principal: Principal;
  /** Actions granted per image by a registry token; null when credentials were sent directly. */
  grants: Grants | null;
}

/** An image whose owner exists, with its package once a manifest was pushed. */
export interface ResolvedImage {
  name: ImageName;
  owner: Owner;
  pkg: PackageRecord | null;
}

/**
 * Access to images (DESIGN §1 through core.access): pull = read, push = publish,
 * delete = delete. An image without a package yet (blobs pushed, no manifest) belongs to its
 * owner's namespace: whoever may create packages there may push, pull and delete it.
 * A registry token further limits a caller to the actions it grants; a request beyond them
 * answers 401 (fetch a new token) when the caller could do it, else the caller's own error.
 */
export class RegistryAccess {
  constructor(
    private readonly core: Core,
    private readonly tokens: RegistryTokens,
    private readonly authenticate: (request: FastifyRequest) => Promise<Principal>,
  ) {}

  /**
   * The caller of a request: a registry token (Bearer), or a personal access token sent as
   * Bearer or Basic user:token, or nobody.
   * @throws KuraError UNAUTHENTICATED for an invalid or expired token.
   */
  async caller(request: FastifyRequest): Promise<RegistryCaller> {
    const header = request.headers.authorization ?? '';
    const bearer = /^bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (bearer && !bearer.startsWith(tokenPrefix)) {
      const verified = await this.tokens.verify(bearer);
      if (!verified) throw new KuraError('UNAUTHENTICATED', 'the registry token is invalid or expired');
      return verified;
    }
    return { principal: await this.authenticate(request), grants: null };
  }

  /**
   * The image's owner and package.
   * @throws KuraError NAME_UNKNOWN when the owner does not exist (UNAUTHENTICATED when anonymous).
   */
  async resolve(principal: Principal, name: ImageName): Promise<ResolvedImage> {
    const owner = await this.core.owners.find(name.owner);
    if (!owner) {
      if (principal.kind === 'anonymous') throw new KuraError('UNAUTHENTICATED', `authentication required to access ${name.full}`);
      throw ociError('NAME_UNKNOWN', `no user or organization named "${name.owner}" (an image is named OWNER/IMAGE)`, { name: name.full });
    }
    const pkg = await this.core.packages.queries.find(containerFormat, owner.login, name.image);
    return { name, owner, pkg };
  }

  /**
   * Allows `action` on `image` for `caller` or throws the error to answer with.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND (NAME_UNKNOWN), FORBIDDEN, MISSING_SCOPE
   */
  async authorize(caller: RegistryCaller, image: ResolvedImage, action: ImageAction): Promise<void> {
    const granted = caller.grants === null || caller.grants.get(image.name.full)?.has(action) === true;
    if (granted) return this.check(caller.principal, image, action);
    if (caller.principal.kind === 'anonymous') throw new KuraError('UNAUTHENTICATED', `authentication required to ${action} ${image.name.full}`);
    await this.check(caller.principal, image, action);
    throw new KuraError('UNAUTHENTICATED', `the registry token does not grant ${action} on ${image.name.full}; request a token with that scope`);
  }

  /** Whether `principal` may do `action` on `image` (ignoring registry tokens); never throws for access. */
  async permits(principal: Principal, image: ResolvedImage, action: ImageAction): Promise<boolean> {
    try {
      await this.check(principal, image, action);
      return true;
    } catch (error) {
      if (isKuraError(error)) return false;
      throw error;
    }
  }

  private async check(principal: Principal, image: ResolvedImage, action: ImageAction): Promise<void> {
    const access = this.core.access;
    if (image.pkg) {
      await access.authorizePackage(principal, action === 'pull' ? 'read' : action === 'push' ? 'write' : 'delete', packageTarget(image.pkg));
      return;
    }
    const owner = { id: image.owner.id, login: image.owner.login, kind: image.owner.kind };
    const label = packageLabel({ format: containerFormat, name: image.name.image });
    if (action === 'push') return access.authorizeNewPackage(principal, owner, null, label);
    try {
      await access.authorizeNewPackage(principal, owner, null, label);
    } catch (error) {
      if (isKuraError(error) && error.code !== 'UNAUTHENTICATED') throw ociError('NAME_UNKNOWN', `${image.name.full} not found`, { name: image.name.full });
      throw error;
    }
    if (action === 'delete') access.requireScope(principal, 'delete:packages', `delete from ${image.name.full}`);
  }
}
