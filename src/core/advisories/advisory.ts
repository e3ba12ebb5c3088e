import type { Severity } from './cvss.js';

/** One package an advisory is about, in its ecosystem's own version syntax. */
export interface AdvisoryVulnerability {
  package: { ecosystem: string; name: string };
  vulnerable_version_range: string;
  patched_versions: string | null;
}

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
  repo: { id: number; ownerId: number; fullName: string };
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
