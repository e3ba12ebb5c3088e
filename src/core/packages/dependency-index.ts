import type { Db, Tx } from '../../db/schema.js';
import type { DeclaredDependency } from './dependency.js';

/** Adds a version's declared dependencies to the dependency index (names lower-cased, duplicates once). */
export async function insertDependencies(trx: Tx, ecosystem: string, versionId: number, dependencies: readonly DeclaredDependency[]): Promise<void> {
  const seen = new Set<string>();
  const rows = [];
  for (const d of dependencies) {
    const row = { version_id: versionId, ecosystem, name_lower: d.name.toLowerCase(), range: d.range, scope: d.scope };
    const key = `${row.name_lower}\u0000${row.range}\u0000${row.scope}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push(row);
  }
  for (let i = 0; i < rows.length; i += 200) await trx.insertInto('version_dependencies').values(rows.slice(i, i + 200)).execute();
}


/** What a format reads from a version's metadata: its declared dependencies, or none. */
export type DependencyReader = (format: string, metadata: Record<string, unknown>, version: string) => readonly DeclaredDependency[];

const indexedKey = 'dependency-index.complete';

/**
 * Indexes the dependencies of versions published before Kura kept a dependency index, once per
 * database (a setting marks it done), in batches of one transaction each. Resolves to how many
 * versions were read.
 */
export async function indexEarlierVersions(db: Db, read: DependencyReader, now: Date): Promise<number> {
  if (await db.selectFrom('settings').select('key').where('key', '=', indexedKey).executeTakeFirst()) return 0;
  let last = 0;
  let count = 0;
  for (;;) {
    const rows = await db.selectFrom('versions').innerJoin('packages', 'packages.id', 'versions.package_id')
      .select(['versions.id', 'versions.version', 'versions.metadata', 'packages.format'])
      .where('versions.id', '>', last).orderBy('versions.id').limit(500).execute();
    if (rows.length === 0) break;
    await db.transaction().execute(async (trx: Tx) => {
      await trx.deleteFrom('version_dependencies').where('version_id', 'in', rows.map((r) => r.id)).execute();
      for (const row of rows) {
        let metadata: unknown;
        try {
          metadata = JSON.parse(row.metadata);
        } catch {
          continue;
        }
        if (metadata && typeof metadata === 'object') await insertDependencies(trx, row.format, row.id, read(row.format, metadata as Record<string, unknown>, row.version));
      }
    });
    last = rows.at(-1)!.id;
    count += rows.length;
  }
  await db.insertInto('settings').values({ key: indexedKey, value: 'v1', created_at: now.toISOString() }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return count;
}
