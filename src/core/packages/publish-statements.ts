import type { Kysely, Selectable } from 'kysely';
import { PreparedQuery } from '../../db/prepared-query.js';
import type { DbOrTx, Tx, VersionsTable } from '../../db/schema.js';
import type { StagedBlob } from '../blobs/blob-ingest.js';
import type { VersionRecord } from './package.js';

/** The columns of a new version row. */
export type NewVersion = Pick<VersionRecord, 'packageId' | 'version' | 'metadata' | 'readme' | 'description' | 'license' | 'publisherId' | 'createdAt'>;

type Params<T> = { [K in keyof T]: unknown };

/**
 * The writes every publish makes, each built and compiled once and then run inside the
 * publish's transaction: a publish spends its time on the rows, not on building SQL.
 */
export class PublishStatements {
  private readonly taken: PreparedQuery<{ id: number }, { packageId: number; version: string }>;
  private readonly version: PreparedQuery<Selectable<VersionsTable>, Params<NewVersion>>;
  private readonly blob: PreparedQuery<never, { sha256: string; size: number; sha512: string | null; sha1: string | null; md5: string | null; now: string }>;
  private readonly file: PreparedQuery<never, { versionId: number; name: string; sha256: string; size: number; contentType: string | null; now: string }>;
  private readonly tag: PreparedQuery<never, { packageId: number; name: string; versionId: number; now: string }>;
  private readonly touch: PreparedQuery<never, { packageId: number; now: string }>;
  private readonly describe: PreparedQuery<never, { packageId: number; now: string; description: string | null }>;

  constructor(db: DbOrTx) {
    // Placeholders stand for values of any column type; they are typed as the columns they fill.
    const v = <T>(param: string): T => param as unknown as T;
    this.taken = new PreparedQuery((param) => db.selectFrom('versions').select('id')
      .where('package_id', '=', v<number>(param('packageId'))).where('version', '=', param('version')));
    this.version = new PreparedQuery((param) => db.insertInto('versions').values({
      package_id: v(param('packageId')),
      version: v(param('version')),
      metadata: v(param('metadata')),
      readme: v(param('readme')),
      description: v(param('description')),
      license: v(param('license')),
      deprecated: null,
      publisher_id: v(param('publisherId')),
      download_count: 0,
      created_at: v(param('createdAt')),
      deleted_at: null,
      purged_at: null,
    }).returningAll());
    this.blob = new PreparedQuery((param) => db.insertInto('blobs').values({
      sha256: v(param('sha256')),
      size: v(param('size')),
      sha512: v(param('sha512')),
      sha1: v(param('sha1')),
      md5: v(param('md5')),
      created_at: v(param('now')),
      touched_at: v(param('now')),
    }).onConflict((oc) => oc.column('sha256').doUpdateSet((eb) => ({
      touched_at: v(param('now')),
      sha512: eb.fn.coalesce('blobs.sha512', eb.ref('excluded.sha512')),
      sha1: eb.fn.coalesce('blobs.sha1', eb.ref('excluded.sha1')),
      md5: eb.fn.coalesce('blobs.md5', eb.ref('excluded.md5')),
    }))) as never);
    this.file = new PreparedQuery((param) => db.insertInto('files').values({
      version_id: v(param('versionId')),
      name: v(param('name')),
      blob_sha256: v(param('sha256')),
      size: v(param('size')),
      content_type: v(param('contentType')),
      created_at: v(param('now')),
    }) as never);
    this.touch = new PreparedQuery((param) => db.updateTable('packages')
      .set((eb) => ({ rev: eb('rev', '+', 1), updated_at: v(param('now')), deleted_at: null }))
      .where('id', '=', v<number>(param('packageId'))) as never);
    this.describe = new PreparedQuery((param) => db.updateTable('packages')
      .set((eb) => ({ rev: eb('rev', '+', 1), updated_at: v(param('now')), deleted_at: null, description: v(param('description')) }))
      .where('id', '=', v<number>(param('packageId'))) as never);
    this.tag = new PreparedQuery((param) => db.insertInto('tags')
      .values({ package_id: v(param('packageId')), name: v(param('name')), version_id: v(param('versionId')), updated_at: v(param('now')) })
      .onConflict((oc) => oc.columns(['package_id', 'name']).doUpdateSet({ version_id: v(param('versionId')), updated_at: v(param('now')) })) as never);
  }

  /** Counts a change to the package (its revision and time) and brings it back if it was deleted; with `description`, sets that too. */
  async touchPackage(trx: Tx, packageId: number, now: string, description?: { description: string | null }): Promise<void> {
    if (description) await this.describe.execute(trx as unknown as Kysely<unknown>, { packageId, now, description: description.description });
    else await this.touch.execute(trx as unknown as Kysely<unknown>, { packageId, now });
  }

  /** Whether the package has that version already (live or deleted). */
  async versionTaken(trx: Tx, packageId: number, version: string): Promise<boolean> {
    return (await this.taken.execute(trx as unknown as Kysely<unknown>, { packageId, version })).length > 0;
  }

  async insertVersion(trx: Tx, row: NewVersion): Promise<Selectable<VersionsTable>> {
    const [inserted] = await this.version.execute(trx as unknown as Kysely<unknown>, { ...row });
    if (!inserted) throw new Error('the version insert returned no row');
    return inserted;
  }

  /** Records a committed blob, or touches the record that exists, keeping the digests it has and adding those it lacked. */
  async upsertBlob(trx: Tx, blob: StagedBlob, now: string): Promise<void> {
    await this.blob.execute(trx as unknown as Kysely<unknown>, {
      sha256: blob.sha256, size: blob.size, sha512: blob.digests.sha512 ?? null, sha1: blob.digests.sha1 ?? null, md5: blob.digests.md5 ?? null, now,
    });
  }

  async insertFile(trx: Tx, file: { versionId: number; name: string; sha256: string; size: number; contentType: string | null }, now: string): Promise<void> {
    await this.file.execute(trx as unknown as Kysely<unknown>, { ...file, now });
  }

  /** Points a tag at a version, creating or moving it. */
  async upsertTag(trx: Tx, packageId: number, name: string, versionId: number, now: string): Promise<void> {
    await this.tag.execute(trx as unknown as Kysely<unknown>, { packageId, name, versionId, now });
  }
}
