import { KuraError } from '../../core/errors/catalogue.js';
import type { PackageSettings } from '../contract.js';
import type { ContainerTables } from './tables.js';

const field = 'untagged_retention_days';
const maxDays = 3650;

/**
 * An image's cleanup policy: `untagged_retention_days` is how many days an untagged manifest
 * (one no tag, index or subject needs) is kept before the cleanup job deletes it; null keeps
 * them forever (the default).
 */
export const cleanupPolicySettings: PackageSettings<ContainerTables> = {
  async read(ctx, pkg) {
    const row = await ctx.db.selectFrom('container_cleanup_policies').select('untagged_days').where('package_id', '=', pkg.id).executeTakeFirst();
    return { [field]: row ? row.untagged_days : null };
  },

  async write(ctx, principal, pkg, changes) {
    const days = changes[field];
    const now = ctx.now().toISOString();
    await ctx.packages.changeSettings(principal, pkg, { [field]: days ?? null }, async (trx) => {
      const unknown = Object.keys(changes).filter((k) => k !== field);
      if (unknown.length > 0) throw new KuraError('BAD_REQUEST', `unknown container package setting "${unknown[0]}" (known: ${field})`);
      if (!(field in changes)) return;
      if (days === null) {
        await trx.deleteFrom('container_cleanup_policies').where('package_id', '=', pkg.id).execute();
        return;
      }
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > maxDays) {
        throw new KuraError('BAD_REQUEST', `${field} must be null or a whole number of days from 0 to ${maxDays}`);
      }
      await trx.insertInto('container_cleanup_policies').values({ package_id: pkg.id, untagged_days: days, updated_at: now })
        .onConflict((oc) => oc.column('package_id').doUpdateSet({ untagged_days: days, updated_at: now }))
        .execute();
    });
    return this.read(ctx, pkg);
  },
};
