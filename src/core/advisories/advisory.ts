import type { Severity } from './cvss.js';

/** One package an advisory is about, in its ecosystem's own version syntax. */
export interface AdvisoryVulnerability {
  package: { ecosystem: string; name: string };
  vulnerable_version_range: string;
  patched_versions: string | null;
}

/** Kinds of credit (GitHub's and OSV's, lower-case). */
export const creditTypes = ['analyst', 'finder', 'reporter', 'coordinator', 'remediation_developer', 'remediation_reviewer', 'remediation_verifier', 'tool', 'sponsor', 'other'] as const;

export interface AdvisoryCredit {
  login: string;
  type: string;
}

/** A repository's security advisory, as the REST API and `npm audit` see it. */
export interface Advisory {
  /** Internal number (what `npm audit` reports as the advisory's id). */
  id: number;
  /** `KURA-xxxx-xxxx-xxxx`. */
  ghsaId: string;
  /** The repository that published it; null for one imported from OSV. */
  repo: { id: number; ownerId: number; fullName: string } | null;
  /** `kura` (drafted here) or `osv` (imported). */
  source: 'kura' | 'osv';
  /** Other ids of the same advisory (CVE, GHSA…). */
  aliases: string[];
  state: 'draft' | 'published';
  summary: string;
  description: string;
  severity: Severity;
  cvssVector: string | null;
  cvssScore: number | null;
  cveId: string | null;
  cweIds: string[];
  credits: AdvisoryCredit[];
  vulnerabilities: AdvisoryVulnerability[];
  authorId: number | null;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  /** When a site admin reviewed it (imported advisories count as reviewed). */
  reviewedAt: string | null;
}

/** What a caller sends to draft or change an advisory (GitHub's field names). */
export interface AdvisoryInput {
  summary?: unknown;
  description?: unknown;
  severity?: unknown;
  cvss_vector_string?: unknown;
  cve_id?: unknown;
  cwe_ids?: unknown;
  credits?: unknown;
  vulnerabilities?: unknown;
  state?: unknown;
}

/** An advisory read from an OSV file, ready to store. */
export interface ImportedAdvisory {
  id: string;
  aliases: string[];
  summary: string;
  details: string;
  severity: Severity;
  cvssVector: string | null;
  cweIds: string[];
  vulnerabilities: AdvisoryVulnerability[];
  published: string;
  modified: string;
}

/** Where people read an advisory: its repository's security page, or the API for an imported one. */
export function advisoryPageUrl(advisory: Pick<Advisory, 'repo' | 'ghsaId'>, base: string): string {
  return advisory.repo ? `${base}/${advisory.repo.fullName}/security/advisories/${advisory.ghsaId}` : `${base}/api/v1/advisories/${advisory.ghsaId}`;
}
