import type { Owner } from '../owners/owner.js';
import { allScopes, type Scope } from '../tokens/scopes.js';

/** Who is asking: nobody, or a user through a token (scoped) or a password (all scopes). */
export type Principal =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      user: Owner;
      scopes: ReadonlySet<Scope>;
      /** Set when the token is restricted to one repository. */
      repoId: number | null;
      tokenId: number | null;
    };

export const anonymous: Principal = { kind: 'anonymous' };

/**
 * The `kura` command run on the server: whoever can run it already holds the data directory,
 * so the access policy allows it everything it asks (missing things are still NOT_FOUND).
 * Only the CLI uses it; HTTP routes and pages always act as the request's {@link Principal}.
 */
export interface Operator {
  kind: 'operator';
}

export const operator: Operator = { kind: 'operator' };

/** Who performs an administrative change: a caller the access policy judges, or the {@link operator}. */
export type Actor = Principal | Operator;

/** A principal for a user who proved a password: every scope, no repository restriction. */
export function passwordPrincipal(user: Owner): Principal {
  return { kind: 'user', user, scopes: new Set(allScopes), repoId: null, tokenId: null };
}

/** The acting user's id, as audit rows record it; null for anonymous callers and the operator. */
export function principalUserId(principal: Actor): number | null {
  return principal.kind === 'user' ? principal.user.id : null;
}
