import type { FastifyRequest } from 'fastify';
import { anonymous, passwordPrincipal, type Principal } from '../core/access/principal.js';
import type { Core } from '../core/core.js';
import type { TokenIdentity } from '../core/tokens/token-service.js';
import { KuraError } from '../core/errors/catalogue.js';

export interface Credentials {
  kind: 'token' | 'password';
  username: string | null;
  secret: string;
}

/**
 * Reads credentials from `Authorization`: `Bearer T`, `token T`, a bare token (RubyGems, Cargo),
 * or `Basic` user:secret (Maven, NuGet, OCI). A Basic secret that is not token-shaped is a
 * password. Returns null when no credentials were sent.
 */
export function readCredentials(header: string | undefined): Credentials | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  const scheme = space === -1 ? '' : header.slice(0, space).toLowerCase();
  const value = space === -1 ? header.trim() : header.slice(space + 1).trim();
  if (scheme === 'bearer' || scheme === 'token') return { kind: 'token', username: null, secret: value };
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return { kind: 'token', username: null, secret: decoded };
    const secret = decoded.slice(colon + 1);
    return { kind: secret.startsWith('kura_') ? 'token' : 'password', username: decoded.slice(0, colon), secret };
  }
  if (scheme === '') return { kind: 'token', username: null, secret: value };
  return { kind: 'token', username: null, secret: value };
}

const resolved = new WeakMap<FastifyRequest, Promise<Principal>>();

/**
 * Makes the request authenticator formats and the API use. Package endpoints take tokens only:
 * passwords are accepted where `allowPassword` is set (npm login, token management), because
 * checking one costs a deliberate ~50 ms. `tokenHeader` names a header that carries a bare token
 * when no `Authorization` is sent (NuGet's `X-NuGet-ApiKey`).
 */
export function createAuthenticator(core: Core) {
  async function resolve(request: FastifyRequest, allowPassword: boolean): Promise<Principal> {
    const credentials = readCredentials(request.headers.authorization);
    if (!credentials) return anonymous;
    if (credentials.kind === 'password') {
      if (!allowPassword || credentials.username === null) {
        throw new KuraError('UNAUTHENTICATED', 'use a personal access token, not a password (kura token create)');
      }
      const user = await core.owners.checkPassword(credentials.username, credentials.secret);
      if (!user) throw new KuraError('UNAUTHENTICATED', 'incorrect username or password');
      return passwordPrincipal(user);
    }
    return resolveToken(credentials.secret);
  }

  /** The principal of each identity the token service handed out (it reuses them while unchanged). */
  const principals = new WeakMap<TokenIdentity, Principal>();

  async function resolveToken(secret: string): Promise<Principal> {
    const identity = await core.tokens.authenticate(secret);
    if (!identity) throw new KuraError('UNAUTHENTICATED', 'the token is invalid, expired or revoked');
    let principal = principals.get(identity);
    if (!principal) {
      principal = {
        kind: 'user',
        user: identity.user,
        scopes: new Set(identity.token.scopes),
        repoId: identity.token.repoId,
        tokenId: identity.token.id,
      };
      principals.set(identity, principal);
    }
    return principal;
  }

  return function authenticate(request: FastifyRequest, options: { allowPassword?: boolean; tokenHeader?: string } = {}): Promise<Principal> {
    if (options.allowPassword) return resolve(request, true);
    const headerToken = options.tokenHeader ? request.headers[options.tokenHeader.toLowerCase()] : undefined;
    if (typeof headerToken === 'string' && headerToken !== '' && !request.headers.authorization) return resolveToken(headerToken.trim());
    let principal = resolved.get(request);
    if (!principal) {
      principal = resolve(request, false);
      resolved.set(request, principal);
    }
    return principal;
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
