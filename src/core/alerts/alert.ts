import type { Advisory } from '../advisories/advisory.js';

export type AlertState = 'open' | 'dismissed' | 'fixed' | 'auto_dismissed';

/** Why an alert was dismissed (GitHub's reasons). */
export const dismissReasons = ['fix_started', 'inaccurate', 'no_bandwidth', 'not_used', 'tolerable_risk'] as const;
export type DismissReason = (typeof dismissReasons)[number];

/** An alert on a repository, as the REST API and the pages show it. */
export interface Alert {
  number: number;
  repo: { id: number; fullName: string };
  state: AlertState;
  advisory: Advisory;
  /** The repository's package whose latest version depends on the affected package. */
  package: { id: number; format: string; name: string };
  /** The version of `package` the alert was computed from. */
  version: string;
  ecosystem: string;
  /** The affected package (normalized name). */
  dependency: string;
  /** From `package` to `dependency`; two entries for a direct dependency. */
  path: string[];
  declaredRange: string;
  scope: string;
  /** The advisory's range and patched versions for `dependency`. */
  vulnerableRange: string;
  patchedVersions: string | null;
  /** The first patched version, when the advisory names one. */
  firstPatched: string | null;
  /** For a direct dependency: whether its declared range already admits the first patched version. */
  patchedAdmitted: boolean | null;
  dismissedReason: DismissReason | null;
  dismissedComment: string | null;
  dismissedBy: string | null;
  dismissedAt: string | null;
  fixedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The first version a "patched versions" text names (`>= 1.2.4`, `1.2.4`, `[1.2.4,)`). */
export function firstPatchedVersion(patched: string | null): string | null {
  const match = patched ? /^\s*(?:>=|=|\[|\()?\s*v?([0-9][^\s,\])]*)/.exec(patched) : null;
  return match ? match[1]! : null;
}
