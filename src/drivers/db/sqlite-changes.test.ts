import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { openSqliteDatabase, sqliteChanges } from './sqlite.js';

/** The next turn of the event loop, when a stamp is read again. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SQLite data changes', () => {
  let dir: string;
  let mine: Kysely<Database>;
  let other: Kysely<Database>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kura-sqlite-changes-'));
    mine = await openSqliteDatabase(join(dir, 'kura.db'));
    other = await openSqliteDatabase(join(dir, 'kura.db'));
  });

  after(async () => {
    await mine.destroy();
    await other.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its stamp while nobody writes, across turns and requests', async () => {
    const changes = sqliteChanges(mine);
    const first = changes.stamp();
    await nextTurn();
    changes.refresh();
    assert.equal(changes.stamp(), first);
    await sql`select count(*) from settings`.execute(other);
    await nextTurn();
    assert.equal(changes.stamp(), first, 'a read by another connection is no change');
  });

  it('moves its stamp at the next request after another connection commits, every time', async () => {
    const changes = sqliteChanges(mine);
    let stamp = changes.stamp();
    for (let i = 0; i < 5; i++) {
      await sql`insert into settings (key, value, created_at) values (${`k${i}`}, 'v', 'now')`.execute(other);
      changes.refresh();
      const next = changes.stamp();
      assert.notEqual(next, stamp, `commit ${i} is seen`);
      stamp = next;
      changes.refresh();
      assert.equal(changes.stamp(), stamp, 'and counted once');
    }
  });

  it('moves its stamp for its own writes at once', async () => {
    const changes = sqliteChanges(mine);
    const before = changes.stamp();
    await sql`insert into settings (key, value, created_at) values ('mine', 'v', 'now')`.execute(mine);
    assert.notEqual(changes.stamp(), before);
  });

  it('sees a commit that follows a checkpoint which restarted the log', async () => {
    const changes = sqliteChanges(mine);
    await sql`pragma wal_checkpoint(truncate)`.execute(other);
    changes.refresh();
    const before = changes.stamp();
    await sql`insert into settings (key, value, created_at) values ('after-checkpoint', 'v', 'now')`.execute(other);
    changes.refresh();
    assert.notEqual(changes.stamp(), before);
  });
});
