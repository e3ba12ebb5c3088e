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

/** A principal for a user who proved a password: every scope, no repository restriction. */
export function passwordPrincipal(user: Owner): Principal {
  return { kind: 'user', user, scopes: new Set(allScopes), repoId: null, tokenId: null };
}

export function principalUserId(principal: Principal): number | null {
  return principal.kind === 'user' ? principal.user.id : null;
}
