import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { pino } from 'pino';
import { DownloadRecorder } from '../../src/core/downloads/download-recorder.js';
import type { Job } from '../../src/core/jobs/job.js';
import { isUniqueViolation } from '../../src/db/unique-violation.js';
import { JobScheduler } from '../../src/jobs/scheduler.js';
import { startTestKura, TestClock, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { onPostgres } from '../support/test-database.js';

/**
 * What several nodes on one database rely on, on the driver the suite runs with: on PostgreSQL two
 * Kuras share one database as two nodes do; on SQLite both "nodes" share the one connection.
 */
describe(`database conformance (${onPostgres ? 'PostgreSQL' : 'SQLite'})`, () => {
  const clock = new TestClock();
  let a: TestKura;
  let b: TestKura;
  let token: string;

  before(async () => {
    a = await startTestKura({}, clock);
    b = onPostgres ? await startTestKura({ KURA_DATABASE_URL: a.config.databaseUrl! }, clock) : a;
    ({ token } = await a.user('alice'));
  });
  after(async () => {
    if (b !== a) await b.close();
    await a.close();
  });

  const publish = async (k: TestKura, name: string, version: string) => {
    const tarball = await buildTarball({ name, version });
    return k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: publishBody(name, version, tarball) });
  };

  it('gives an exclusive job to one node at a time, and to another once the holder stops renewing', async () => {
    const silent = pino({ level: 'silent' });
    const nodes = [new JobScheduler(a.core.deps.db, silent, clock.now), new JobScheduler(b.core.deps.db, silent, clock.now)];
    const runs = [0, 0];
    const job = (i: number): Job => ({ name: 'conformance-lease', everyMs: 60_000, exclusive: true, run: async () => { runs[i]!++; } });
    for (let round = 0; round < 10; round++) await Promise.all(nodes.map((node, i) => node.runOnce(job(i))));
    assert.equal(runs[0]! + runs[1]!, 10, 'exactly one node ran each round');
    assert.ok(runs[0] === 10 || runs[1] === 10, `the holder kept its lease: ${runs.join(' / ')}`);
    const other = runs[0] === 10 ? 1 : 0;
    clock.advance(60_000);
    await nodes[other]!.runOnce(job(other));
    assert.equal(runs[other], 0, 'a lease is not taken before it expires');
    clock.advance(60_001);
    await nodes[other]!.runOnce(job(other));
    assert.equal(runs[other], 1, 'an expired lease passes to another node');
  });

  it('loses no download counted by several nodes flushing at once', async () => {
    for (const name of ['@alice/counted-a', '@alice/counted-b']) assert.equal((await publish(a, name, '1.0.0')).statusCode, 201);
    const versions = await a.core.deps.db.selectFrom('versions').select('id').where('version', '=', '1.0.0').orderBy('id').execute();
    const ids = versions.map((v) => v.id);
    const recorders = [new DownloadRecorder(a.core.deps), new DownloadRecorder(b.core.deps), new DownloadRecorder(a.core.deps)];
    for (let round = 0; round < 20; round++) {
      recorders.forEach((recorder, i) => {
        // Each node counts both versions, in a different order, so their flushes overlap.
        const order = i % 2 === 0 ? ids : [...ids].reverse();
        for (const id of order) recorder.record(id);
        recorder.record(order[0]!);
      });
      await Promise.all(recorders.map((r) => r.flush()));
    }
    const rows = await a.core.deps.db.selectFrom('versions').select(['id', 'download_count']).where('id', 'in', ids).orderBy('id').execute();
    const expected = ids.map((id) => 20 * (recorders.length + recorders.filter((_, i) => (i % 2 === 0 ? ids : [...ids].reverse())[0] === id).length));
    assert.deepEqual(rows.map((r) => Number(r.download_count)), expected);
    const daily = await a.core.downloads.daily(ids);
    assert.equal(daily.reduce((n, d) => n + d.count, 0), expected.reduce((n, c) => n + c, 0));
  });

  it('gives exactly one 2xx to the same version published on two nodes at once', async () => {
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all([publish(a, '@alice/raced', `1.0.${round}`), publish(b, '@alice/raced', `1.0.${round}`)]);
      const statuses = results.map((r) => r.statusCode).sort();
      assert.deepEqual(statuses, [201, 409], `round ${round}: ${results.map((r) => `${r.statusCode} ${r.body}`).join(' | ')}`);
    }
    const stored = await a.core.deps.db.selectFrom('versions').innerJoin('packages', 'packages.id', 'versions.package_id')
      .select('versions.version').where('packages.name', '=', '@alice/raced').execute();
    assert.equal(stored.length, 5);
  });

  it('answers reads across a schema change under its prepared statements (a newer node migrated)', { skip: !onPostgres && 'prepared statements are PostgreSQL’s' }, async () => {
    const db = a.core.deps.db;
    const read = () => db.selectFrom('settings').selectAll().where('key', '=', 'conformance').execute();
    for (let i = 0; i < 8; i++) await Promise.all([read(), read(), read(), read()]);
    await sql`alter table settings add column conformance_extra text`.execute(db);
    try {
      let failures = 0;
      for (let i = 0; i < 8; i++) {
        const results = await Promise.allSettled([read(), read(), read(), read()]);
        failures += results.filter((r) => r.status === 'rejected').length;
      }
      assert.equal(failures, 0, 'a read outside a transaction is run again unprepared');
      assert.deepEqual(await read(), []);
    } finally {
      await sql`alter table settings drop column conformance_extra`.execute(db);
    }
  });

  it('reports a duplicate key as a unique violation, and nothing else as one', async () => {
    const db = a.core.deps.db;
    const duplicate = await db.insertInto('job_leases').values({ job: 'conformance-lease', holder: 'x', expires_at: clock.now().toISOString() }).execute().catch((e: unknown) => e);
    assert.ok(isUniqueViolation(duplicate), String(duplicate));
    const other = await db.selectFrom('job_leases').select((eb) => eb.ref('no_such_column' as 'job').as('x')).execute().catch((e: unknown) => e);
    assert.ok(other instanceof Error && !isUniqueViolation(other));
  });

  it('finds packages by any part of their name or description through the text index, and follows changes', async () => {
    const described = async (name: string, version: string, description: string) => {
      const tarball = await buildTarball({ name, version, manifest: { description } });
      const res = await a.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: publishBody(name, version, tarball, { manifest: { description } }) });
      assert.equal(res.statusCode, 201, res.body);
    };
    await described('@alice/search-left-pad', '1.0.0', 'Pads a string on the left');
    await described('@alice/search-right-pad', '1.0.0', 'Pads on the RIGHT; 100% "quoted" ünïcode');
    await described('@alice/search-other', '1.0.0', 'Nothing to see');
    const found = async (text: string) => (await a.core.packages.queries.search('npm', text, 50)).map((p) => p.name).filter((n) => n.startsWith('@alice/search-')).sort();
    assert.deepEqual(await found('left-pad'), ['@alice/search-left-pad']);
    assert.deepEqual(await found('PAD'), ['@alice/search-left-pad', '@alice/search-right-pad'], 'case does not matter');
    assert.deepEqual(await found('ads on th'), ['@alice/search-right-pad'], 'inside descriptions, across words');
    assert.deepEqual(await found('ig'), ['@alice/search-right-pad'], 'needles shorter than a trigram still match');
    assert.deepEqual(await found('100%'), ['@alice/search-right-pad'], '% matches itself');
    assert.deepEqual(await found('0_'), [], '_ matches itself');
    assert.deepEqual(await found('"quoted"'), ['@alice/search-right-pad'], 'quotes match themselves');
    assert.deepEqual(await found('ünïc'), ['@alice/search-right-pad'], 'non-ASCII letters');
    assert.deepEqual(await found('pads a string on the left and more'), [], 'every part of the needle must be there');
    await described('@alice/search-other', '2.0.0', 'Now about padding');
    assert.deepEqual(await found('padding'), ['@alice/search-other'], 'a new description is found');
    assert.deepEqual(await found('nothing to see'), [], 'the old one is not');
  });
});
