import type { Owner } from '../owners/owner.js';

export type Visibility = 'public' | 'private';
export type RepoRole = 'read' | 'write' | 'admin';
export const repoRoles: readonly RepoRole[] = ['read', 'write', 'admin'];

/** A repository: the unit of permission that packages link to. */
export interface Repository {
  id: number;
  ownerId: number;
  ownerLogin: string;
  name: string;
  fullName: string;
  visibility: Visibility;
  description: string | null;
  createdAt: string;
}

/** Someone with a role on a repository: the role in effect, and the one given on the repository itself. */
export interface RepoMember {
  user: Owner;
  /** The role in effect (from the owner, an organization membership and the collaborator role). */
  role: RepoRole;
  /** The role given on the repository itself; null when it comes through the owner alone. */
  collaboratorRole: RepoRole | null;
}

/**
 * Whom a collaborator list includes (GitHub's `affiliation`): `direct` those given a role on the
 * repository, `outside` those of them who are not members of its organization, `all` everyone
 * with a role (the owner, an organization's owners and members, and the collaborators).
 */
export type CollaboratorAffiliation = 'direct' | 'outside' | 'all';
export const collaboratorAffiliations: readonly CollaboratorAffiliation[] = ['direct', 'outside', 'all'];

/** What a repository's admins may change. */
export interface RepoChanges {
  visibility?: Visibility | undefined;
  /** The new description; null or empty clears it. */
  description?: string | null | undefined;
}
