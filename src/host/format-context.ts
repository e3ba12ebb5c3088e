import { uncountedCacheLookups } from '../core/cache-lookups.js';
import type { FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { KuraConfig } from '../config/config.js';
import type { Principal } from '../core/access/principal.js';
import { recordAudit } from '../core/audit/audit-log.js';
import type { Core } from '../core/core.js';
import type { PackageService } from '../core/packages/package-service.js';
import type { DbOrTx } from '../db/schema.js';
import type { UrlBuilder } from '../delivery/url-builder.js';
import type { AnyPackageFormat, FormatContext, FormatPackages, FormatSetting } from '../formats/contract.js';

/** What every format's context is built from. */
export interface FormatHostDeps {
  core: Core;
  config: KuraConfig;
  logger: Logger;
  urls: UrlBuilder;
  authenticate(request: FastifyRequest, options?: { tokenHeader?: string }): Promise<Principal>;
}

/** The context of every format, by id. @throws Error naming a format setting that does not parse. */
export function createFormatContexts(formats: readonly AnyPackageFormat[], deps: FormatHostDeps): ReadonlyMap<string, FormatContext<unknown>> {
  return new Map(formats.map((format) => [format.id, createFormatContext(format, deps)]));
}

/**
 * One format's context: core's services with packages bound to the format, and a database
 * handle typed with the format's own tables only (the same connection, so a format's rows join
 * core's transactions).
 */
export function createFormatContext<Tables>(format: AnyPackageFormat, deps: FormatHostDeps): FormatContext<Tables> {
  const { core, config } = deps;
  return {
    formatId: format.id,
    packages: bindPackages<Tables>(core.packages, format),
    owners: core.owners,
    repos: core.repos,
    tokens: core.tokens,
    access: core.access,
    downloads: core.downloads,
    advisories: core.advisories,
    blobs: { store: core.deps.blobs, reader: core.blobReader, records: core.blobRecords },
    secrets: core.secrets,
    caches: core.deps.caches ?? uncountedCacheLookups,
    db: core.deps.db as unknown as Kysely<Tables>,
    audit: (db, entry) => recordAudit(db as unknown as DbOrTx, entry, core.deps.now()),
    now: core.deps.now,
    limits: { maxBodyBytes: config.maxBodyBytes, maxBlobBytes: config.maxBlobBytes },
    settings: parseFormatSettings(format.settings ?? [], config.formatEnvironment),
    urls: deps.urls,
    logger: deps.logger.child({ format: format.id }),
    authenticate: deps.authenticate,
  };
}

function parseFormatSettings(settings: readonly FormatSetting[], env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  return Object.fromEntries(settings.map((s) => [s.key, s.parse(env[s.env] ?? s.default)]));
}

/** The package service with every request bound to `format`, dependencies read from the metadata by the format. */
function bindPackages<Tables>(service: PackageService, format: AnyPackageFormat): FormatPackages<Tables> {
  const formatId = format.id;
  const asFormatTx = (trx: unknown) => trx as Transaction<Tables>;
  const dependenciesOf = (metadata: unknown, version: string) =>
    metadata && typeof metadata === 'object' && format.dependencies ? format.dependencies(metadata as Record<string, unknown>, version) : undefined;
  return {
    queries: service.queries,
    files: service.files,
    authorizePublish: (target) => service.authorizePublish({ ...target, format: formatId }),
    publishVersion: ({ withinTransaction, ...request }) => service.publishVersion({
      ...request,
      format: formatId,
      dependencies: dependenciesOf(request.metadata, request.version),
      withinTransaction: withinTransaction && ((trx, ids) => withinTransaction(asFormatTx(trx), ids)),
    }),
    addFile: ({ withinTransaction, ...request }) => service.addFile({
      ...request,
      format: formatId,
      dependencies: dependenciesOf(request.metadata, request.version),
      withinTransaction: withinTransaction && ((trx, ids) => withinTransaction(asFormatTx(trx), ids)),
    }),
    changeSettings: (principal, pkg, meta, body) => service.changeSettings(principal, pkg, meta, (trx) => body(asFormatTx(trx))),
    removeFiles: (...args) => service.removeFiles(...args),
    setTag: (...args) => service.setTag(...args),
    removeTag: (...args) => service.removeTag(...args),
    setDeprecation: (...args) => service.setDeprecation(...args),
    deleteVersion: (...args) => service.deleteVersion(...args),
    expireVersions: (...args) => service.expireVersions(...args),
    restoreVersion: (...args) => service.restoreVersion(...args),
    deletePackage: (...args) => service.deletePackage(...args),
    restorePackage: (...args) => service.restorePackage(...args),
    restoreWindowDays: service.restoreWindowDays,
    restorableUntil: (...args) => service.restorableUntil(...args),
    setVisibility: (...args) => service.setVisibility(...args),
    linkRepository: (...args) => service.linkRepository(...args),
    unlinkRepository: (...args) => service.unlinkRepository(...args),
    setAccessInheritance: (...args) => service.setAccessInheritance(...args),
    members: (...args) => service.members(...args),
    setMember: (...args) => service.setMember(...args),
    removeMember: (...args) => service.removeMember(...args),
  };
}
