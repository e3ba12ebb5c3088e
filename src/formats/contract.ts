import type { CacheLookups } from '../core/cache-lookups.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ColumnDefinitionBuilder, Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { AccessPolicy } from '../core/access/access-policy.js';
import type { AdvisoryService } from '../core/advisories/advisory-service.js';
import type { OsvEcosystem } from '../core/advisories/osv.js';
import type { AuditEntry } from '../core/audit/audit-log.js';
import type { Principal } from '../core/access/principal.js';
import type { BlobReader } from '../core/blobs/blob-reader.js';
import type { BlobRecords } from '../core/blobs/blob-records.js';
import type { BlobStore } from '../core/blobs/blob-store.js';
import type { DownloadRecorder } from '../core/downloads/download-recorder.js';
import type { KuraError } from '../core/errors/catalogue.js';
import type { Job } from '../core/jobs/job.js';
import type { OwnerService } from '../core/owners/owner-service.js';
import type { DeclaredDependency } from '../core/packages/dependency.js';
import type { PackageRecord, VersionRecord } from '../core/packages/package.js';
import type { AddFileRequest, PackageService, PublishRequest, PublishResult } from '../core/packages/package-service.js';
import type { RepoService } from '../core/repos/repo-service.js';
import type { ServerSecrets } from '../core/settings/server-secrets.js';
import type { TokenService } from '../core/tokens/token-service.js';
import type { UrlBuilder } from '../delivery/url-builder.js';

/** A format without tables of its own. */
export type NoTables = Record<never, never>;

/**
 * Publishing and every other package write, bound to one format: requests name no format, and
 * the hook that writes a format's own rows inside the publish transaction gets a handle on that
 * format's tables only.
 */
export interface FormatPackages<Tables> extends Omit<PackageService, 'publishVersion' | 'authorizePublish' | 'addFile' | 'changeSettings' | 'onChange'> {
  authorizePublish(target: Omit<Parameters<PackageService['authorizePublish']>[0], 'format'>): ReturnType<PackageService['authorizePublish']>;
  publishVersion(request: FormatPublishRequest<Tables>): Promise<PublishResult>;
  addFile(request: FormatAddFileRequest<Tables>): ReturnType<PackageService['addFile']>;
  /** {@link PackageService.changeSettings}, writing the format's own tables. */
  changeSettings(principal: Principal, pkg: PackageRecord, meta: Record<string, unknown>, body: (trx: Transaction<Tables>) => Promise<void>): Promise<void>;
}

export interface FormatPublishRequest<Tables> extends Omit<PublishRequest, 'format' | 'withinTransaction' | 'dependencies'> {
  /** Writes the format's own rows beside the version; they commit or roll back with it. */
  withinTransaction?: ((trx: Transaction<Tables>, ids: { packageId: number; versionId: number }) => Promise<void>) | undefined;
}

export interface FormatAddFileRequest<Tables> extends Omit<AddFileRequest, 'format' | 'withinTransaction' | 'dependencies'> {
  /** Writes the format's own rows beside the file; they commit or roll back with it. */
  withinTransaction?: FormatPublishRequest<Tables>['withinTransaction'];
}

/** Bytes: the store, the download reader, and the `blobs` records garbage collection reads. */
export interface FormatBlobs {
  store: BlobStore;
  reader: BlobReader;
  records: BlobRecords;
}

/**
 * What a format receives from Kura, and the only way it reaches Kura's data: core's services
 * (packages bound to this format, owners, repositories, tokens, access, downloads, blobs,
 * secrets), a handle on the format's **own** tables, its settings, URLs, a logger and
 * authentication.
 */
export interface FormatContext<Tables = NoTables> {
  /** The format's id (`packages.format`). */
  formatId: string;
  packages: FormatPackages<Tables>;
  owners: OwnerService;
  repos: RepoService;
  tokens: TokenService;
  /** The single authority on who may do what: ask it, then render its outcome. */
  access: AccessPolicy;
  downloads: DownloadRecorder;
  /** Published security advisories, for the audit endpoints of a client (`npm audit`). */
  advisories: Pick<AdvisoryService, 'affecting'>;
  blobs: FormatBlobs;
  secrets: ServerSecrets;
  /** The format's own tables (declared in its folder and migrated by its `migrations`). */
  db: Kysely<Tables>;
  /**
   * Records an audit row for a write the format makes outside core's services (its own tables,
   * blobs it links or drops), in `db`: the transaction of that write, so the two commit or roll
   * back together. Jobs record `actorId: null`.
   */
  audit(db: Kysely<Tables> | Transaction<Tables>, entry: AuditEntry): Promise<void>;
  /** The clock; tests move it. */
  now(): Date;
  /** Where the format's caches count hits and misses (named `<format id>.<cache>`). */
  caches: CacheLookups;
  /**
   * Limits on uploads: `maxBodyBytes` for a request's body (a package, a file), `maxBlobBytes`
   * for a blob that may be pushed in several requests (a container layer).
   */
  limits: { maxBodyBytes: number; maxBlobBytes: number };
  /** The format's settings (its `settings`), parsed. */
  settings: Readonly<Record<string, unknown>>;
  urls: UrlBuilder;
  logger: Logger;
  /**
   * The caller of a request, resolved once per request.
   * @throws KuraError UNAUTHENTICATED when credentials were sent but are invalid, expired or revoked.
   */
  authenticate(request: FastifyRequest, options?: { tokenHeader?: string }): Promise<Principal>;
}

/** One way to install or use a version with one client. */
export interface InstallSnippet {
  /** The client or file the snippet is for, e.g. `npm`, `Gradle (Kotlin)`, `.npmrc`. */
  client: string;
  code: string;
}

/**
 * One fact about a version as a person reads it on its page. The page renders each kind its
 * own way: sizes in KB/MB, counts with separators, labels as badges (linking to the version they
 * name), dependencies as a list linking to their package pages when this server hosts them.
 */
export type PageFact =
  | { label: string; kind: 'text'; text: string }
  | { label: string; kind: 'link'; text: string; href: string }
  | { label: string; kind: 'size'; bytes: number }
  | { label: string; kind: 'count'; count: number }
  | { label: string; kind: 'labels'; items: Array<{ text: string; version?: string }> }
  | { label: string; kind: 'dependencies'; items: PageDependency[] }
  | { label: string; kind: 'code'; text: string };

/** One dependency in a `dependencies` fact. */
export interface PageDependency {
  /** As the version's metadata names it. */
  name: string;
  /** The versions it accepts, in the format's own notation (`^4.17.0`, `~> 2.2, >= 2.2.1`, `[1.0, 2.0)`). */
  requirement: string;
  /** A qualifier a person should see beside it, e.g. `optional` or a Maven scope. */
  note?: string;
  /**
   * The package this server would host under that name, in the page's format: the owner's login
   * and the normalized package name (npm `@alice/lib` → `alice`, `@alice/lib`). Absent when no
   * owner follows from the name and the feed it is installed from. The page links it when it
   * exists and the reader may see it.
   */
  package?: { owner: string; name: string };
}

/** What the package page and the REST API show about one version, beyond core's columns. */
export interface VersionPresentation {
  install: InstallSnippet[];
  /** Format-specific facts for the REST API's version `metadata`: dependencies, platforms, tags, size… (JSON-serialisable). */
  facts: Record<string, unknown>;
  /** The facts that matter to a person, in the order the page shows them; empty ones left out. */
  details: PageFact[];
}

/** Whom a client setup is for: this server, an owner (a login, or the placeholder `OWNER`), and a token to fill in (or null for a placeholder). */
export interface ClientSetupInput {
  baseUrl: string;
  owner: string;
  token: string | null;
}

/** How to point a format's clients at this server, as the help page and a new token's page show it. */
export interface ClientSetup {
  /** The address clients are pointed at for the owner (`http://host/npm/`, `host/OWNER/IMAGE`), as the home page lists it. */
  endpoint: string;
  /** One or two sentences: what the URL serves and when a token is needed. */
  intro: string;
  /** Files and commands to paste, in the order a person uses them. */
  snippets: InstallSnippet[];
}

/** A version as a format's presenter sees it. */
export interface PresentInput {
  pkg: PackageRecord;
  version: VersionRecord;
  /** The version's parsed metadata document. */
  metadata: Record<string, unknown>;
  /** Tags pointing at this version. */
  tags: string[];
  /** Public base URL, no trailing slash. */
  baseUrl: string;
}

/**
 * Format-specific settings of one package (e.g. how long untagged container manifests are kept),
 * read by whoever may read the package and changed by its admins through the REST API.
 */
export interface PackageSettings<Tables> {
  read(ctx: FormatContext<Tables>, pkg: PackageRecord): Promise<Record<string, unknown>>;
  /**
   * Validates and applies `changes` (fields not named stay as they are) for `principal`, through
   * `ctx.packages.changeSettings` (which asks access and audits).
   * @throws KuraError BAD_REQUEST naming the bad field, plus access errors.
   */
  write(ctx: FormatContext<Tables>, principal: Principal, pkg: PackageRecord, changes: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** The one dialect difference a migration may use: how an auto-generated integer key is declared. */
export interface MigrationDialect {
  idColumn: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

/** One schema change of a format's own tables; runs once, after core's migrations. */
export interface FormatMigration {
  up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void>;
}

/** A setting a format adds to Kura's configuration (an environment variable, listed in the README). */
export interface FormatSetting {
  /** The key in `ctx.settings`. */
  key: string;
  env: string;
  default: string;
  describe: string;
  /** @throws Error with a one-line message naming the setting. */
  parse(text: string): unknown;
}

/**
 * A package format: one folder under src/formats implementing this, listed once in registry.ts.
 * Core never switches on format ids; everything format-specific lives behind this interface.
 */
export interface PackageFormat<Tables = NoTables> {
  /** Stored in packages.format and used in API paths (`package_type`); prefixes the format's table names. */
  id: string;
  displayName: string;
  /** Where the protocol routes are mounted, e.g. `/npm`. */
  mountPath: string;
  /**
   * Migrations of the format's own tables, by name (run in name order, after core's). Every
   * table and index they create is named `<id>_…`; they touch nothing else.
   */
  migrations?: Readonly<Record<string, FormatMigration>>;
  /** Settings the format reads from the environment, parsed into `ctx.settings`. */
  settings?: readonly FormatSetting[];
  /**
   * The normalized package name for an API path segment under `ownerLogin`, or null when the
   * name cannot belong to this format. Used by the REST API to find packages.
   */
  normalizeName(ownerLogin: string, name: string): string | null;
  /** Orders two versions of this format (negative when a < b). */
  compareVersions(a: string, b: string): number;
  /**
   * Version ranges in the format's own syntax, as security advisories name affected versions
   * (npm semver ranges, Maven `[1.0,2.0)`…); the advisory ecosystem is the format's id.
   */
  versionRanges?: VersionRanges;
  /**
   * The packages (of this format) a version depends on, read from its stored metadata; pure.
   * Kura indexes them at publish so advisories raise alerts on dependents. Declarations whose
   * range cannot be known (unresolved properties) are left out.
   */
  dependencies?(metadata: Record<string, unknown>, version: string): DeclaredDependency[];
  /** Registers the protocol routes on an encapsulated Fastify instance mounted at `mountPath`. */
  register(app: FastifyInstance, ctx: FormatContext<Tables>): Promise<void>;
  /** The client configuration for this server; pure. */
  clientSetup(input: ClientSetupInput): ClientSetup;
  /** Renders an error in the client's dialect (status and headers included). */
  renderError(error: KuraError, request: FastifyRequest, reply: FastifyReply): unknown;
  /**
   * Background jobs the format needs (e.g. reaping abandoned uploads), started by `kura serve`
   * with Kura's own. Each must be idempotent and safe to run while the server serves.
   */
  jobs?(ctx: FormatContext<Tables>): readonly Job[];
  /** Settings a package of this format has, if any. */
  packageSettings?: PackageSettings<Tables>;
  /** Install snippets and facts for one version; pure (no I/O). */
  present(input: PresentInput): VersionPresentation;
}

export interface VersionRanges extends Omit<OsvEcosystem, 'id'> {
  /** Whether `range` is a well-formed range. */
  valid(range: string): boolean;
  /** Whether `version` is in `range`. */
  admits(range: string, version: string): boolean;
  /** Whether some version could be in both ranges (false when either is malformed). */
  overlaps(a: string, b: string): boolean;
}

/** Any format, whatever its tables. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPackageFormat = PackageFormat<any>;
