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
