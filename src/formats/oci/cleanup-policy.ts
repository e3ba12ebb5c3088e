import { recordAudit } from '../../core/audit/audit-log.js';
import type { Core } from '../../core/core.js';
import { KuraError } from '../../core/errors/catalogue.js';
import type { PackageRecord } from '../../core/packages/package.js';
import type { PackageSettings } from '../contract.js';

const field = 'untagged_retention_days';
const maxDays = 3650;

/**
 * An image's cleanup policy: `untagged_retention_days` is how many days an untagged manifest
 * (one no tag, index or subject needs) is kept before the cleanup job deletes it; null keeps
 * them forever (the default).
 */
export const cleanupPolicySettings: PackageSettings = {
  async read(core: Core, pkg: PackageRecord) {
    const row = await core.deps.db.selectFrom('oci_cleanup_policies').select('untagged_days').where('package_id', '=', pkg.id).executeTakeFirst();
    return { [field]: row ? row.untagged_days : null };
  },

  async write(core: Core, pkg: PackageRecord, changes: Record<string, unknown>, actorId: number | null) {
    const unknown = Object.keys(changes).filter((k) => k !== field);
    if (unknown.length > 0) throw new KuraError('BAD_REQUEST', `unknown container package setting "${unknown[0]}" (known: ${field})`);
    if (!(field in changes)) return this.read(core, pkg);
    const days = changes[field];
    if (days !== null && (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > maxDays)) {
      throw new KuraError('BAD_REQUEST', `${field} must be null or a whole number of days from 0 to ${maxDays}`);
    }
    const now = core.deps.now();
    await core.deps.db.transaction().execute(async (trx) => {
      if (days === null) {
        await trx.deleteFrom('oci_cleanup_policies').where('package_id', '=', pkg.id).execute();
      } else {
        await trx.insertInto('oci_cleanup_policies').values({ package_id: pkg.id, untagged_days: days, updated_at: now.toISOString() })
          .onConflict((oc) => oc.column('package_id').doUpdateSet({ untagged_days: days, updated_at: now.toISOString() }))
          .execute();
      }
      await recordAudit(trx, { actorId, action: 'package.settings', target: `${pkg.format}:${pkg.name}`, meta: { [field]: days } }, now);
    });
    return { [field]: days };
  },
};
