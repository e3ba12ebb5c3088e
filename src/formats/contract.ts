import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { KuraConfig } from '../config/config.js';
import type { Principal } from '../core/access/principal.js';
import type { Core } from '../core/core.js';
import type { KuraError } from '../core/errors/catalogue.js';
import type { PackageRecord, VersionRecord } from '../core/packages/package.js';
import type { UrlBuilder } from '../delivery/url-builder.js';
import type { Job } from '../jobs/scheduler.js';

/** What a format receives from Kura: the core, config, URLs, authentication and a logger. */
export interface FormatContext {
  core: Core;
  config: KuraConfig;
  urls: UrlBuilder;
  logger: Logger;
  /**
   * The caller of a request, resolved once per request.
   * @throws KuraError UNAUTHENTICATED when credentials were sent but are invalid, expired or revoked.
   */
  authenticate(request: FastifyRequest): Promise<Principal>;
}

/** One way to install or use a version with one client. */
export interface InstallSnippet {
  /** The client or file the snippet is for, e.g. `npm`, `Gradle (Kotlin)`, `.npmrc`. */
  client: string;
  code: string;
}

/** What the package page and the REST API show about one version, beyond core's columns. */
export interface VersionPresentation {
  install: InstallSnippet[];
  /** Format-specific facts: dependencies, platforms, tags, size… (JSON-serialisable). */
  facts: Record<string, unknown>;
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
export interface PackageSettings {
  read(core: Core, pkg: PackageRecord): Promise<Record<string, unknown>>;
  /**
   * Validates and applies `changes` (fields not named stay as they are), audited as `actorId`.
   * @throws KuraError BAD_REQUEST naming the bad field.
   */
  write(core: Core, pkg: PackageRecord, changes: Record<string, unknown>, actorId: number | null): Promise<Record<string, unknown>>;
}

/** What a format's background jobs receive. */
export interface FormatJobContext {
  core: Core;
  config: KuraConfig;
  logger: Logger;
}

/**
 * A package format: one folder under src/formats implementing this, listed once in registry.ts.
 * Core never switches on format ids; everything format-specific lives behind this interface.
 */
export interface PackageFormat {
  /** Stored in packages.format and used in API paths (`package_type`). */
  id: string;
  displayName: string;
  /** Where the protocol routes are mounted, e.g. `/npm`. */
  mountPath: string;
  /**
   * The normalized package name for an API path segment under `ownerLogin`, or null when the
   * name cannot belong to this format. Used by the REST API to find packages.
   */
  normalizeName(ownerLogin: string, name: string): string | null;
  /** Orders two versions of this format (negative when a < b). */
  compareVersions(a: string, b: string): number;
  /** Registers the protocol routes on an encapsulated Fastify instance mounted at `mountPath`. */
  register(app: FastifyInstance, ctx: FormatContext): Promise<void>;
  /** Renders an error in the client's dialect (status and headers included). */
  renderError(error: KuraError, request: FastifyRequest, reply: FastifyReply): unknown;
  /**
   * Background jobs the format needs (e.g. reaping abandoned uploads), started by `kura serve`
   * with Kura's own. Each must be idempotent and safe to run while the server serves.
   */
  jobs?(ctx: FormatJobContext): readonly Job[];
  /** Settings a package of this format has, if any. */
  packageSettings?: PackageSettings;
  /** Install snippets and facts for one version; pure (no I/O). */
  present(input: PresentInput): VersionPresentation;
}
