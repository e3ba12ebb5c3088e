import type { Generated, Kysely, Transaction } from 'kysely';

/**
 * Core's relational schema (formats declare their own tables in their folders), shared by every
 * database driver. Times are ISO-8601 UTC strings, booleans are 0/1 integers and JSON is text,
 * so one set of queries runs on SQLite and PostgreSQL.
 */
export interface Database {
  owners: OwnersTable;
  org_members: OrgMembersTable;
  repositories: RepositoriesTable;
  repo_collaborators: RepoCollaboratorsTable;
  tokens: TokensTable;
  packages: PackagesTable;
  package_members: PackageMembersTable;
  versions: VersionsTable;
  files: FilesTable;
  blobs: BlobsTable;
  tags: TagsTable;
  download_counts: DownloadCountsTable;
  audit_log: AuditLogTable;
  job_leases: JobLeasesTable;
  settings: SettingsTable;
  advisories: AdvisoriesTable;
  advisory_packages: AdvisoryPackagesTable;
  version_dependencies: VersionDependenciesTable;
  alerts: AlertsTable;
  web_sessions: WebSessionsTable;
  sign_in_failures: SignInFailuresTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export interface OwnersTable {
  id: Generated<number>;
  login: string;
  login_lower: string;
  kind: 'user' | 'org';
  email: string | null;
  password_hash: string | null;
  is_admin: number;
  /** Owner setting: new unlinked packages start public (1) or private (0). */
  public_packages_by_default: number;
  created_at: string;
  /** When a site admin suspended the user; suspended users cannot sign in or use tokens. */
  suspended_at: string | null;
}

export interface OrgMembersTable {
  org_id: number;
  user_id: number;
  role: 'owner' | 'member';
  created_at: string;
}

export interface RepositoriesTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  name_lower: string;
  visibility: 'public' | 'private';
  description: string | null;
  created_at: string;
}

export interface RepoCollaboratorsTable {
  repo_id: number;
  user_id: number;
  role: 'read' | 'write' | 'admin';
  created_at: string;
}

export interface TokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** SHA-256 hex of the whole token; the token itself is never stored. */
  token_hash: string;
  /** The first characters of the token, shown in listings to tell tokens apart. */
  token_prefix: string;
  /** Comma-separated scopes. */
  scopes: string;
  repo_id: number | null;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export interface PackagesTable {
  id: Generated<number>;
  owner_id: number;
  format: string;
  name: string;
  name_lower: string;
  repo_id: number | null;
  /** Visibility of an unlinked package, or of a linked one that does not inherit access; others follow their repository. */
  visibility: 'public' | 'private';
  /** 1: a linked package takes visibility and permissions from its repository; 0: it keeps its own. */
  inherit_access: Generated<number>;
  description: string | null;
  /** Incremented by every change to the package, its versions or tags: cache key and ETag. */
  rev: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface PackageMembersTable {
  package_id: number;
  user_id: number;
  role: 'read' | 'write' | 'admin';
  created_at: string;
}

export interface VersionsTable {
  id: Generated<number>;
  package_id: number;
  version: string;
  /** The format's metadata for this version, one JSON document. */
  metadata: string;
  readme: string | null;
  description: string | null;
  license: string | null;
  deprecated: string | null;
  publisher_id: number | null;
  download_count: number;
  created_at: string;
  deleted_at: string | null;
  /** Set when a deleted version's files were purged; the number stays taken. */
  purged_at: string | null;
}

export interface FilesTable {
  id: Generated<number>;
  version_id: number;
  name: string;
  blob_sha256: string;
  size: number;
  content_type: string | null;
  created_at: string;
}

export interface BlobsTable {
  sha256: string;
  size: number;
  sha512: string | null;
  sha1: string | null;
  md5: string | null;
  created_at: string;
  /** Last time a write referenced this blob; garbage collection waits a grace period after it. */
  touched_at: string;
}

export interface TagsTable {
  package_id: number;
  name: string;
  version_id: number;
  updated_at: string;
}

export interface DownloadCountsTable {
  version_id: number;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  count: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_id: number | null;
  action: string;
  target: string;
  meta: string | null;
  created_at: string;
  /** The user or organization owning what changed: whose audit log lists the row. */
  owner_id: number | null;
  /** The repository the write concerns (a package's linked one included). */
  repo_id: number | null;
  /** The package the write concerns. */
  package_id: number | null;
}

export interface JobLeasesTable {
  job: string;
  holder: string;
  expires_at: string;
}

/** Server-wide settings that must survive restarts and be shared by every process (e.g. signing secrets). */
export interface SettingsTable {
  key: string;
  value: string;
  created_at: string;
}

/** A repository's security advisory (GitHub's repository security advisory shape). */
export interface AdvisoriesTable {
  id: Generated<number>;
  /** Kura's own id, `KURA-xxxx-xxxx-xxxx` (GHSA-shaped). */
  ghsa_id: string;
  /** The repository that published it; null for one imported from an OSV file. */
  repo_id: number | null;
  /** `kura` (drafted in Kura) or `osv` (imported). */
  source: 'kura' | 'osv';
  /** JSON array of other ids of the same advisory (CVE, GHSA…). */
  aliases: string;
  state: 'draft' | 'published';
  summary: string;
  description: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  cvss_vector: string | null;
  cve_id: string | null;
  /** JSON array of CWE ids. */
  cwe_ids: string;
  /** JSON array of { login, type }. */
  credits: string;
  /** JSON array of { package: { ecosystem, name }, vulnerable_version_range, patched_versions }. */
  vulnerabilities: string;
  author_id: number | null;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  /** When a site admin marked it reviewed (needed before it alerts other owners when review is required). */
  reviewed_at: string | null;
  reviewed_by: number | null;
}

/** One package an advisory affects, for lookups by package name. */
export interface AdvisoryPackagesTable {
  advisory_id: number;
  ecosystem: string;
  name_lower: string;
  vulnerable_range: string;
  patched_versions: string | null;
}

/** One dependency a version declares, by the dependency's normalized name (the dependency index). */
export interface VersionDependenciesTable {
  version_id: number;
  /** The format id of the dependency (a version depends on packages of its own format). */
  ecosystem: string;
  name_lower: string;
  /** The declared range, in the format's own syntax. */
  range: string;
  /** `runtime`, `development`, `optional` or `peer`. */
  scope: string;
}

/** An alert on a repository: one of its packages depends on a version an advisory affects (GitHub's Dependabot alert). */
export interface AlertsTable {
  id: Generated<number>;
  repo_id: number;
  /** Numbered per repository from 1. */
  number: number;
  advisory_id: number;
  /** The repository's package whose latest version depends on the affected package. */
  package_id: number;
  ecosystem: string;
  /** The affected package, as the advisory names it (lower-cased). */
  dependency_lower: string;
  /** The dependent package's version the alert was computed from. */
  version: string;
  /** JSON array of package names from the dependent package to the affected one. */
  path: string;
  /** The range the dependent package declares on the first package of the path. */
  declared_range: string;
  scope: string;
  state: 'open' | 'dismissed' | 'fixed' | 'auto_dismissed';
  dismissed_reason: string | null;
  dismissed_comment: string | null;
  dismissed_by: number | null;
  dismissed_at: string | null;
  fixed_at: string | null;
  auto_dismissed_at: string | null;
  created_at: string;
  updated_at: string;
}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type DbOrTx = Db | Tx;

export interface WebSessionsTable {
  id: Generated<number>;
  /** SHA-256 hex of the cookie value; the value itself is never stored. */
  session_hash: string;
  user_id: number;
  user_agent: string | null;
  address: string | null;
  created_at: string;
  last_seen_at: string;
  /** Set when the user signs out or revokes the session; it is refused from then on. */
  ended_at: string | null;
}

export interface SignInFailuresTable {
  /** `account:LOGIN` or `address:IP`. */
  subject: string;
  at: string;
}

/** A webhook of a repository, an organization or the site. */
export interface WebhooksTable {
  id: Generated<number>;
  scope: 'repository' | 'organization' | 'site';
  /** The organization of an organization's webhook. */
  owner_id: number | null;
  /** The repository of a repository's webhook. */
  repo_id: number | null;
  url: string;
  content_type: 'json';
  /** The HMAC key deliveries are signed with; never shown again once set. */
  secret: string | null;
  /** 1: https certificates are not verified. */
  insecure_ssl: number;
  /** JSON array of event names (`package.published`…) or `["*"]`. */
  events: string;
  active: number;
  created_by: number | null;
  /** The outcome of the latest attempt (GitHub's `last_response`). */
  last_status_code: number | null;
  last_status: string | null;
  last_message: string | null;
  created_at: string;
  updated_at: string;
}

/** One event queued for one webhook, with its payload rendered when it was queued. */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  hook_id: number;
  /** X-Kura-Delivery; a redelivery keeps the guid of the delivery it repeats. */
  guid: string;
  /** X-Kura-Event: `package`, `alert` or `ping`. */
  event: string;
  /** The payload's `action` (`published`…), null for a ping. */
  action: string | null;
  repo_id: number | null;
  /** The exact JSON body sent (and signed). */
  payload: string;
  redelivery: number;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** When the next attempt is due; null once delivered or failed. */
  next_attempt_at: string | null;
  first_attempt_at: string | null;
  /** The lease of the node sending it; another node may take it once this time passed. */
  locked_until: string | null;
  claim: string | null;
  /** The latest attempt's response status (null when no response came) and summary. */
  status_code: number | null;
  status: string | null;
  duration_ms: number | null;
  created_at: string;
  finished_at: string | null;
}

/** One attempt to send a delivery: the request as sent and the response (its first 64 KiB). */
export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  number: number;
  /** The URL the final request went to (after redirects). */
  url: string;
  /** JSON array of the redirect targets followed. */
  redirects: string;
  started_at: string;
  duration_ms: number;
  /** JSON object. */
  request_headers: string;
  status_code: number | null;
  response_headers: string | null;
  response_body: string | null;
  /** Why no response counts: a refused address, a timeout, a connection error. */
  error: string | null;
}
