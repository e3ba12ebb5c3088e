import type { AccessPolicy } from '../access/access-policy.js';
import { principalUserId, type Principal } from '../access/principal.js';
import { packageScope, recordAudit } from '../audit/audit-log.js';
import type { CoreDeps } from '../context.js';
import { packageSubject, type PackageRecord, type VersionRecord } from './package.js';

/**
 * Removes files from a version that formats define as replaceable (for example superseded
 * builds of a mutable version). Only the file rows go; blob bytes are left to garbage collection.
 */
export class FilePruning {
  constructor(
    private readonly deps: CoreDeps,
    private readonly access: AccessPolicy,
  ) {}

  /**
   * Deletes the named files of `version` in one transaction with an audit row, and bumps the
   * package's revision. Names the version does not have are ignored. Returns how many went.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, MISSING_SCOPE (write access is needed)
   */
  async removeFiles(principal: Principal, pkg: PackageRecord, version: VersionRecord, names: readonly string[]): Promise<number> {
    await this.access.authorize(principal, 'write', packageSubject(pkg));
    if (names.length === 0) return 0;
    const now = this.deps.now();
    return this.deps.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('files').where('version_id', '=', version.id).where('name', 'in', [...names]).executeTakeFirst();
      const removed = Number(result.numDeletedRows);
      if (removed === 0) return 0;
      await trx.updateTable('packages').set((eb) => ({ rev: eb('rev', '+', 1), updated_at: now.toISOString() })).where('id', '=', pkg.id).execute();
      await recordAudit(trx, {
        actorId: principalUserId(principal),
        action: 'file.prune',
        target: `${pkg.format}:${pkg.name}@${version.version}`,
        ...packageScope(pkg),
        meta: { files: [...names] },
      }, now);
      return removed;
    });
  }
}
