import { ownerTarget, type AccessPolicy } from '../access/access-policy.js';
import type { Principal } from '../access/principal.js';
import type { OwnerService } from '../owners/owner-service.js';
import type { RepoService } from '../repos/repo-service.js';
import type { TokenRecord, TokenService } from './token-service.js';

export interface TokenRequest {
  name?: string | undefined;
  scopes: readonly string[] | string;
  expiresAt: Date | null;
  /** `OWNER/NAME` of the one repository the token is limited to, or null for all the user may reach. */
  repository: string | null;
}

/**
 * Issues a personal access token to the signed-in caller, the one way the API, the web UI and
 * any other surface create tokens: the caller must have proved a password (or hold an admin
 * token), and a repository restriction must name a repository they may read (a token restricted
 * to one repository makes only tokens restricted to it).
 */
export class TokenIssuer {
  constructor(
    private readonly access: AccessPolicy,
    private readonly owners: OwnerService,
    private readonly repos: RepoService,
    private readonly tokens: TokenService,
  ) {}

  /** @throws KuraError UNAUTHENTICATED, MISSING_SCOPE, BAD_REQUEST (scopes, expiry), NOT_FOUND (the repository) */
  async issue(principal: Principal, request: TokenRequest): Promise<{ token: string; record: TokenRecord }> {
    let repoId: number | null = null;
    if (request.repository) {
      await this.access.authorizeTokenCreation(principal, 'pending');
      const repo = await this.repos.require(request.repository);
      const owner = (await this.owners.findById(repo.ownerId))!;
      await this.access.authorizeTokenCreation(principal, { owner: ownerTarget(owner), repo });
      repoId = repo.id;
    } else {
      await this.access.authorizeTokenCreation(principal, null);
    }
    if (principal.kind !== 'user') throw new Error('unreachable: authorizeTokenCreation admits users only');
    return this.tokens.create({ userId: principal.user.id, name: request.name, scopes: request.scopes, expiresAt: request.expiresAt, repoId }, principal.user.id);
  }
}
