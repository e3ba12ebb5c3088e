/** A user or an organization, as the rest of the core sees it. */
export interface Owner {
  id: number;
  login: string;
  kind: 'user' | 'org';
  email: string | null;
  isAdmin: boolean;
  publicPackagesByDefault: boolean;
  createdAt: string;
  /** When a site admin suspended the user, or null. */
  suspendedAt: string | null;
}

export type OrgRole = 'owner' | 'member';
export const orgRoles: readonly OrgRole[] = ['owner', 'member'];

/** A user's membership of an organization. */
export interface OrgMember {
  user: Owner;
  role: OrgRole;
  /** When they joined (ISO-8601). */
  since: string;
}
