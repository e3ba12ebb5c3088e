import { ownerTarget } from '../../core/access/access-policy.js';
import type { Principal } from '../../core/access/principal.js';
import type { Owner } from '../../core/owners/owner.js';
import { packageSubject, type PackageRecord } from '../../core/packages/package.js';
import type { Repository } from '../../core/repos/repository.js';
import type { FormatContext } from '../contract.js';
import { mavenNameKey, mavenPackageName, type ArtifactCoordinates } from './coordinates.js';
import type { MavenRequestPath } from './repository-path.js';

/**
 * Where a Maven request points: one repository (`/maven/OWNER/REPO/…`, deploy and resolve) or
 * every repository of the owner, which resolves only: `/maven/OWNER/…` when the first segment
 * names no repository, or explicitly with `*` as that segment (GitHub Packages' spelling).
 */
export interface RepositoryScope {
  owner: Owner;
  /** Null for the owner-wide view. */
  repo: Repository | null;
}

/** The segment that selects the owner-wide view explicitly, as GitHub Packages spells it. */
export const ownerWideSegment = '*';

/** Resolves request paths to scopes and packages, asking access for every decision. */
export class ScopeResolver {
  constructor(private readonly ctx: FormatContext) {}

  /**
   * The scope of a read and the layout segments after it. A repository scope must be readable.
   * @throws KuraError UNAUTHENTICATED (anonymous, not public), NOT_FOUND (unknown owner, or signed in without read)
   */
  async forRead(principal: Principal, path: MavenRequestPath): Promise<{ scope: RepositoryScope; segments: string[] }> {
    const owner = await this.owner(principal, path.owner);
    const [first, ...rest] = path.segments;
    if (first === ownerWideSegment) return { scope: { owner, repo: null }, segments: rest };
    const repo = first === undefined ? null : await this.ctx.repos.find(owner.login, first);
    if (!repo) return { scope: { owner, repo: null }, segments: path.segments };
    await this.ctx.access.authorize(principal, 'read', { kind: 'repository', owner: ownerTarget(owner), repo });
    return { scope: { owner, repo }, segments: rest };
  }

  /**
   * The repository a deploy goes to (the first segment) and the layout segments after it. The
   * repository must exist and be readable; write access is checked by the deploy itself.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND
   */
  async forWrite(principal: Principal, path: MavenRequestPath): Promise<{ scope: RepositoryScope & { repo: Repository }; segments: string[] }> {
    const owner = await this.owner(principal, path.owner);
    const [first, ...rest] = path.segments;
    const repo = first === undefined || first === ownerWideSegment ? null : await this.ctx.repos.find(owner.login, first);
    if (!repo) {
      return this.ctx.access.authorize(principal, 'write', {
        kind: 'missing',
        label: `repository ${owner.login}/${first ?? ''}`,
        notFound: `repository ${owner.login}/${first ?? ''} not found: deploy to /maven/OWNER/REPO/ of an existing repository`,
      });
    }
    await this.ctx.access.authorize(principal, 'read', { kind: 'repository', owner: ownerTarget(owner), repo });
    return { scope: { owner, repo }, segments: rest };
  }

  /**
   * The package `coordinates` name in `scope`, when the caller may read it: in a repository
   * scope it must be linked to that repository. Names match exactly (Maven is case-sensitive).
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND as {@link missing}
   */
  async readablePackage(principal: Principal, scope: RepositoryScope, coordinates: ArtifactCoordinates): Promise<PackageRecord> {
    const name = mavenPackageName(coordinates);
    const pkg = await this.ctx.packages.queries.find('maven', scope.owner.login, mavenNameKey(coordinates));
    if (!pkg || pkg.name !== name || (scope.repo !== null && pkg.repo?.id !== scope.repo.id)) return this.missing(principal, scope, `maven package ${name}`);
    await this.ctx.access.authorize(principal, 'read', packageSubject(pkg));
    return pkg;
  }

  /**
   * Answers for something absent from a scope, as access decides: nothing private can hide in a
   * public repository, so there it is a plain 404; elsewhere an anonymous caller gets the 401
   * challenge (Maven and Gradle send credentials only after one) and a signed-in one 404.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND
   */
  missing(principal: Principal, scope: RepositoryScope, what: string): Promise<never> {
    const where = scope.repo ? `repository ${scope.repo.fullName}` : `the repositories of ${scope.owner.login}`;
    return this.ctx.access.authorize(principal, 'read', { kind: 'missing', label: what, within: scope.repo, notFound: `${what} not found in ${where}` });
  }

  private async owner(principal: Principal, login: string): Promise<Owner> {
    const owner = await this.ctx.owners.find(login);
    if (owner) return owner;
    return this.ctx.access.authorize(principal, 'read', { kind: 'missing', label: login, notFound: `no user or organization named "${login}"` });
  }
}
