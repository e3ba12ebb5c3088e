import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../../core/access/principal.js';
import type { Scope } from '../../core/tokens/scopes.js';
import type { ContainerContext } from './tables.js';

/** What a registry token may do on an image. */
export type ImageAction = 'pull' | 'push' | 'delete';
export const imageActions: readonly ImageAction[] = ['pull', 'push', 'delete'];

/** Actions granted per image name (`owner/image`). */
export type Grants = ReadonlyMap<string, ReadonlySet<ImageAction>>;

/** The claims a registry token carries. */
interface Claims {
  /** The user, or null for an anonymous token. */
  sub: number | null;
  /** The scopes and repository restriction of the personal access token it was issued for. */
  scp: Scope[];
  rid: number | null;
  tid: number | null;
  /** Granted actions per image. */
  acc: Record<string, ImageAction[]>;
  iat: number;
  exp: number;
}

/** How long a registry token lives; clients fetch a new one on the next 401. */
export const tokenLifetimeSeconds = 300;
const secretKey = 'registry.token-secret';

/**
 * Short-lived bearer tokens for the container registry, as the token flow of the distribution
 * spec hands them out: `base64url(claims).base64url(HMAC-SHA256)`, signed with a server secret
 * (created once, shared by every server process).
 */
export class RegistryTokens {
  constructor(private readonly ctx: ContainerContext) {}

  /** Issues a token for `principal` carrying exactly `grants`. */
  async issue(principal: Principal, grants: Grants): Promise<{ token: string; expiresIn: number; issuedAt: string }> {
    const now = this.ctx.now();
    const iat = Math.floor(now.getTime() / 1000);
    const claims: Claims = {
      sub: principal.kind === 'user' ? principal.user.id : null,
      scp: principal.kind === 'user' ? [...principal.scopes] : [],
      rid: principal.kind === 'user' ? principal.repoId : null,
      tid: principal.kind === 'user' ? principal.tokenId : null,
      acc: Object.fromEntries([...grants].map(([name, actions]) => [name, [...actions]])),
      iat,
      exp: iat + tokenLifetimeSeconds,
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${payload}.${await this.sign(payload)}`, expiresIn: tokenLifetimeSeconds, issuedAt: now.toISOString() };
  }

  /**
   * The caller a token stands for and its grants, or null when the token is malformed, forged,
   * expired, its user no longer exists, or the personal access token it was issued for has been
   * revoked or has expired since (so revocation takes effect at once).
   */
  async verify(token: string): Promise<{ principal: Principal; grants: Grants } | null> {
    const dot = token.indexOf('.');
    if (dot <= 0) return null;
    const payload = token.slice(0, dot);
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(await this.sign(payload), 'base64url');
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return null;
    let claims: Claims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
    } catch {
      return null;
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.ctx.now().getTime()) return null;
    const grants = new Map(Object.entries(claims.acc ?? {}).map(([name, actions]) => [name, new Set(actions)]));
    if (claims.sub === null) return { principal: { kind: 'anonymous' }, grants };
    const user = await this.ctx.owners.findById(claims.sub);
    if (!user || user.kind !== 'user') return null;
    if (claims.tid !== null) {
      const source = (await this.ctx.tokens.list(user.id)).find((t) => t.id === claims.tid);
      const now = this.ctx.now().toISOString();
      if (!source || source.revokedAt || (source.expiresAt && source.expiresAt <= now)) return null;
    }
    return { principal: { kind: 'user', user, scopes: new Set(claims.scp), repoId: claims.rid, tokenId: claims.tid }, grants };
  }

  private async sign(payload: string): Promise<string> {
    return createHmac('sha256', await this.ctx.secrets.secret(secretKey)).update(payload).digest('base64url');
  }
}

/**
 * Parses token `scope` parameters (`repository:NAME:pull,push`, several per parameter separated
 * by spaces) into requested actions per name; other resource types are ignored.
 */
export function parseScopeRequest(values: readonly string[]): Map<string, Set<ImageAction>> {
  const requested = new Map<string, Set<ImageAction>>();
  for (const item of values.flatMap((v) => v.split(' ')).filter(Boolean)) {
    const parts = item.split(':');
    if (parts.length < 3 || parts[0] !== 'repository') continue;
    const actions = parts[parts.length - 1]!.split(',');
    const name = parts.slice(1, -1).join(':');
    const set = requested.get(name) ?? new Set<ImageAction>();
    for (const action of actions) {
      if (action === '*') imageActions.forEach((a) => set.add(a));
      else if ((imageActions as readonly string[]).includes(action)) set.add(action as ImageAction);
    }
    requested.set(name, set);
  }
  return requested;
}
