import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../core/access/principal.js';
import { ownerTarget, type AccessSubject } from '../../core/access/access-policy.js';
import { KuraError } from '../../core/errors/catalogue.js';
import type { Owner } from '../../core/owners/owner.js';
import { packageLabel, packageSubject, type PackageRecord } from '../../core/packages/package.js';
import { tokenPrefix } from '../../core/tokens/token-format.js';
import type { ImageName } from './names.js';
import type { ContainerContext } from './tables.js';
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
    private readonly ctx: ContainerContext,
    private readonly tokens: RegistryTokens,
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
    return { principal: await this.ctx.authenticate(request), grants: null };
  }

  /**
   * The image's owner and package.
   * @throws KuraError NAME_UNKNOWN when the owner does not exist (UNAUTHENTICATED when anonymous).
   */
  async resolve(principal: Principal, name: ImageName): Promise<ResolvedImage> {
    const found = await this.ctx.packages.queries.findWithOwner(containerFormat, name.owner, name.image);
    if (!found) {
      return this.ctx.access.authorize(principal, 'read', {
        kind: 'missing', label: name.full, notFound: `no user or organization named "${name.owner}" (an image is named OWNER/IMAGE)`,
      });
    }
    return { name, owner: found.owner, pkg: found.pkg };
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
  permits(principal: Principal, image: ResolvedImage, action: ImageAction): Promise<boolean> {
    return this.ctx.access.permits(principal, packageAction[action], subjectOf(image));
  }

  private check(principal: Principal, image: ResolvedImage, action: ImageAction): Promise<void> {
    return this.ctx.access.authorize(principal, packageAction[action], subjectOf(image));
  }
}

const packageAction = { pull: 'read', push: 'write', delete: 'delete' } as const;

/** An image with a package is that package; without one it is a name in its owner's namespace. */
function subjectOf(image: ResolvedImage): AccessSubject {
  if (image.pkg) return packageSubject(image.pkg);
  return { kind: 'namespace', owner: ownerTarget(image.owner), label: packageLabel({ format: containerFormat, name: image.name.image }) };
}
