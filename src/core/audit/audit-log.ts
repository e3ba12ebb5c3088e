import type { Kysely } from 'kysely';
import { PreparedQuery } from '../../db/prepared-query.js';
import type { DbOrTx } from '../../db/schema.js';

/**
 * Whom an audit row belongs to, known when it is written: the user or organization that owns
 * what changed (an organization's audit log lists the rows of its id), and the repository and
 * package it concerns, if any.
 */
export interface AuditScope {
  ownerId?: number | null | undefined;
  repoId?: number | null | undefined;
  packageId?: number | null | undefined;
}

/** One write to record: who (null for the `kura` command and jobs), what, on which target, and whose. */
export interface AuditEntry extends AuditScope {
  actorId: number | null;
  action: string;
  /** A readable target, e.g. `npm:@alice/widget@1.0.0` or `repo:alice/tools`. */
  target: string;
  meta?: Record<string, unknown> | undefined;
}

/** The scope of a write to a package: its owner, its linked repository and itself. */
export function packageScope(pkg: { id: number; ownerId: number; repo: { id: number } | null }): AuditScope {
  return { ownerId: pkg.ownerId, repoId: pkg.repo?.id ?? null, packageId: pkg.id };
}

/** The scope of a write to a repository (or something of it, like an advisory or an alert). */
export function repositoryScope(repo: { id: number; ownerId: number }): AuditScope {
  return { ownerId: repo.ownerId, repoId: repo.id };
}

/**
 * Appends an audit row. Call it with the transaction of the write it describes, so the two
 * commit or roll back together. Never include secrets in `meta`.
 */
export async function recordAudit(db: DbOrTx, entry: AuditEntry, at: Date): Promise<void> {
  await insertAudit.execute(db as unknown as Kysely<unknown>, {
    actorId: entry.actorId,
    action: entry.action,
    target: entry.target,
    meta: entry.meta ? JSON.stringify(entry.meta) : null,
    createdAt: at.toISOString(),
    ownerId: entry.ownerId ?? null,
    repoId: entry.repoId ?? null,
    packageId: entry.packageId ?? null,
  });
}

type AuditRow = {
  actorId: number | null; action: string; target: string; meta: string | null; createdAt: string;
  ownerId: number | null; repoId: number | null; packageId: number | null;
};

/** Every write records one of these, so the insert is compiled once. */
const insertAudit = new PreparedQuery<never, AuditRow>((param, db) => {
  const value = <T>(name: keyof AuditRow): T => param(name) as unknown as T;
  return db.insertInto('audit_log').values({
    actor_id: value('actorId'),
    action: value('action'),
    target: value('target'),
    meta: value('meta'),
    created_at: value('createdAt'),
    owner_id: value('ownerId'),
    repo_id: value('repoId'),
    package_id: value('packageId'),
  }) as never;
});
