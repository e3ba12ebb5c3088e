import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { registryJobs } from '../../src/formats/oci/jobs.js';
import type { ContainerTables } from '../../src/formats/oci/tables.js';
import { collectGarbage } from '../../src/jobs/collect-garbage.js';
import { purgeDeleted } from '../../src/jobs/purge-deleted.js';
import { startTestKura, TestClock, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { blob, imageFixture, pushBlob, pushManifest } from '../support/oci-fixtures.js';

const host = 'kura.test';
const dayMs = 86_400_000;

/** Columns that record reads, not writes (when a token or session was last used). */
const readMarks = new Set(['last_used_at', 'last_seen_at']);

/**
 * Everything a write can change: a digest of every row of every table (but the audit log itself,
 * the migrator's and job leases), the blobs in the store and the uploads in progress.
 */
async function snapshot(k: TestKura): Promise<Map<string, string>> {
  const db = k.core.deps.db;
  const state = new Map<string, string>();
  for (const table of await db.introspection.getTables()) {
    if (table.name === 'audit_log' || table.name === 'job_leases' || table.name.startsWith('kysely_')) continue;
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(db);
    const lines = rows.map((row) => JSON.stringify(Object.entries(row).filter(([column]) => !readMarks.has(column)).map(([column, value]) => [column, String(value)]))).sort();
    state.set(table.name, createHash('sha256').update(lines.join('\n')).digest('hex'));
  }
  const blobs: string[] = [];
  for await (const info of k.core.deps.blobs.list()) blobs.push(info.sha256);
  state.set('blob store', blobs.sort().join(','));
  const uploads: string[] = [];
  for await (const upload of k.core.deps.blobs.uploads?.list() ?? []) uploads.push(`${upload.id}:${upload.size}`);
  state.set('uploads in the blob store', uploads.sort().join(','));
  return state;
}

async function lastAuditId(k: TestKura): Promise<number> {
  const row = await k.core.deps.db.selectFrom('audit_log').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return Number(row?.id ?? 0);
}

interface Entry {
  '@timestamp': number;
  _document_id: string;
  action: string;
  actor: string | null;
  actor_id: number | null;
  org: string | null;
  owner: string | null;
  repo: string | null;
  package: string | null;
  target: string;
  created_at: number;
  data: Record<string, unknown>;
}

describe('audit log', () => {
  const clock = new TestClock();
  let k: TestKura;
  let alice: string;
  let aliceAdmin: string;
  let bob: string;
  let root: string;
  /** Audit row ids the flow wrote, by step. */
  const written = new Map<string, number[]>();
  const get = (url: string, token?: string) => k.inject({ method: 'GET', url, token, headers: { host } });
  const orgLog = async (query = '') => {
    const res = await get(`/api/v1/orgs/acme/audit-log?per_page=100${query}`, aliceAdmin);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Entry[];
  };

  before(async () => {
    k = await startTestKura({}, clock);
    alice = (await k.user('alice', { scopes: ['read:packages', 'write:packages', 'delete:packages'] })).token;
    aliceAdmin = await k.token('alice', ['admin']);
    bob = (await k.user('bob', { scopes: ['admin'] })).token;
    await k.user('carol');
    root = (await k.user('root', { admin: true, scopes: ['admin'] })).token;
    await k.core.owners.createOrg('acme', 'alice');
    await k.core.owners.setOrgMember('acme', 'bob', 'member');
    await k.core.repos.create({ fullName: 'acme/tools' });
  });
  after(() => k.close());

  it('finds every write of an npm, container and background-job flow in the audit log, and no write without one', async () => {
    const widget = '@acme/widget';
    const doc = (versions: Record<string, { deprecated?: string }>) => ({ name: widget, versions: Object.fromEntries(Object.entries(versions).map(([v, extra]) => [v, { name: widget, version: v, ...extra }])) });
    const npmPublish = async (token: string, name: string, version: string, repository?: string) => {
      const manifest = repository ? { repository } : {};
      const tarball = await buildTarball({ name, version, manifest });
      return k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: publishBody(name, version, tarball, { manifest }) });
    };
    const image = imageFixture({ layers: ['layer of the audited image'] });
    const stray = blob('a blob pushed and deleted again');
    let upload = '';
    const ok = (status: number) => (res: { statusCode: number; body: string }) => assert.equal(res.statusCode, status, res.body);
    const steps: Array<{ name: string; run: () => Promise<unknown>; expect: string[] }> = [
      { name: 'npm publish', run: async () => ok(201)(await npmPublish(alice, widget, '1.0.0', 'acme/tools')), expect: ['version.publish'] },
      { name: 'npm publish of a second version', run: async () => ok(201)(await npmPublish(alice, widget, '1.0.1', 'acme/tools')), expect: ['version.publish'] },
      { name: 'npm publish by an organization member', run: async () => ok(201)(await npmPublish(bob, '@acme/bobs', '0.1.0')), expect: ['version.publish'] },
      {
        name: 'npm install (reads only)', expect: [],
        run: async () => {
          ok(200)(await k.inject({ method: 'GET', url: `/npm/${npmUrlName(widget)}` }));
          ok(200)(await k.inject({ method: 'GET', url: '/npm/@acme/widget/-/widget-1.0.0.tgz' }));
        },
      },
      {
        name: 'npm dist-tag add', expect: ['tag.set'],
        run: async () => ok(201)(await k.inject({ method: 'PUT', url: `/npm/-/package/${npmUrlName(widget)}/dist-tags/beta`, token: alice, headers: { 'content-type': 'application/json' }, payload: '"1.0.0"' })),
      },
      { name: 'npm dist-tag rm', run: async () => ok(200)(await k.inject({ method: 'DELETE', url: `/npm/-/package/${npmUrlName(widget)}/dist-tags/beta`, token: alice })), expect: ['tag.remove'] },
      {
        name: 'npm deprecate', expect: ['version.deprecate'],
        run: async () => ok(200)(await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(widget)}/-rev/3-x`, token: alice, payload: doc({ '1.0.0': { deprecated: 'use 1.0.1' }, '1.0.1': {} }) })),
      },
      {
        name: 'npm unpublish of one version', expect: ['version.delete'],
        run: async () => {
          ok(200)(await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(widget)}/-rev/4-x`, token: alice, payload: doc({ '1.0.0': { deprecated: 'use 1.0.1' } }) }));
          ok(200)(await k.inject({ method: 'DELETE', url: '/npm/@acme/widget/-/widget-1.0.1.tgz/-rev/5-x', token: alice }));
        },
      },
      {
        name: 'package made public through the REST API', expect: ['package.visibility'],
        run: async () => ok(200)(await k.inject({ method: 'PATCH', url: '/api/v1/orgs/acme/packages/npm/bobs', token: alice, payload: { visibility: 'public' } })),
      },
      {
        name: 'container upload started', expect: ['container.upload.start'],
        run: async () => {
          const res = await k.inject({ method: 'POST', url: '/v2/acme/app/blobs/uploads/', token: alice });
          ok(202)(res);
          upload = String(res.headers['location']);
        },
      },
      {
        name: 'container chunked upload: chunks, then the closing PUT', expect: ['container.upload.commit'],
        run: async () => {
          const data = image.config.data;
          const half = Math.floor(data.length / 2);
          for (const [start, piece] of [[0, data.subarray(0, half)], [half, data.subarray(half)]] as const) {
            ok(202)(await k.inject({ method: 'PATCH', url: upload, token: alice, headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + piece.length - 1}` }, payload: piece }));
          }
          ok(201)(await k.inject({ method: 'PUT', url: `${upload}?digest=${image.config.digest}`, token: alice }));
        },
      },
      { name: 'container monolithic blob push', run: async () => ok(201)(await pushBlob(k, alice, 'acme/app', image.layers[0]!)), expect: ['container.blob.push'] },
      {
        name: 'container upload started, to be cancelled', expect: ['container.upload.start'],
        run: async () => {
          const res = await k.inject({ method: 'POST', url: '/v2/acme/app/blobs/uploads/', token: alice });
          ok(202)(res);
          upload = String(res.headers['location']);
        },
      },
      { name: 'container upload cancelled', run: async () => ok(204)(await k.inject({ method: 'DELETE', url: upload, token: alice })), expect: ['container.upload.cancel'] },
      { name: 'container manifest push', run: async () => ok(201)(await pushManifest(k, alice, 'acme/app', 'v1', image.manifest)), expect: ['version.publish'] },
      { name: 'container blob mounted into another image', run: async () => ok(201)(await k.inject({ method: 'POST', url: `/v2/acme/copy/blobs/uploads/?mount=${image.layers[0]!.digest}&from=acme/app`, token: alice })), expect: ['container.blob.mount'] },
      {
        name: 'container blob pushed and deleted', expect: ['container.blob.push', 'container.blob.delete'],
        run: async () => {
          ok(201)(await pushBlob(k, alice, 'acme/app', stray));
          ok(202)(await k.inject({ method: 'DELETE', url: `/v2/acme/app/blobs/${stray.digest}`, token: alice }));
        },
      },
      { name: 'container manifest deleted', run: async () => ok(202)(await k.inject({ method: 'DELETE', url: `/v2/acme/app/manifests/${image.digest}`, token: alice })), expect: ['version.delete'] },
      { name: 'container upload left unfinished', run: async () => ok(202)(await k.inject({ method: 'POST', url: '/v2/acme/app/blobs/uploads/', token: alice })), expect: ['container.upload.start'] },
      {
        name: 'purge of what was deleted more than 30 days ago', expect: ['version.purge'],
        run: async () => {
          clock.advance(31 * dayMs);
          assert.equal(await purgeDeleted(k.core.deps, 30), 2);
        },
      },
      { name: 'garbage collection', run: async () => assert.ok((await collectGarbage(k.core.deps, 24)) > 0, 'bytes were freed'), expect: ['blob.gc'] },
      {
        name: 'container upload reaping and dangling blob links', expect: ['container.upload.expire', 'container.blob.prune'],
        run: async () => {
          const reap = registryJobs(k.formatContext<ContainerTables>('container')).find((j) => j.name === 'container.uploads.reap')!;
          await reap.run();
        },
      },
    ];

    for (const step of steps) {
      const before = await snapshot(k);
      const since = await lastAuditId(k);
      await step.run();
      const changed = [...(await snapshot(k))].filter(([key, digest]) => before.get(key) !== digest).map(([key]) => key);
      const rows = await k.core.deps.db.selectFrom('audit_log').select(['id', 'action']).where('id', '>', since).orderBy('id').execute();
      assert.deepEqual([...new Set(rows.map((r) => r.action))].sort(), [...step.expect].sort(), `${step.name}: audit rows ${JSON.stringify(rows)}, changed ${changed.join(', ')}`);
      if (step.expect.length === 0) assert.deepEqual(changed, [], `${step.name} changes nothing`);
      else assert.ok(changed.length > 0, `${step.name} changes something`);
      written.set(step.name, rows.map((r) => r.id));
    }

    // Each row is in the site's audit log; each row of something acme owns is in acme's, with its package.
    const site = await get('/api/v1/audit-log?per_page=100', root);
    assert.equal(site.statusCode, 200, site.body);
    const siteIds = new Set((site.json() as Entry[]).map((e) => Number(e._document_id)));
    const org = new Map((await orgLog()).map((e) => [Number(e._document_id), e]));
    for (const [step, ids] of written) {
      for (const id of ids) {
        assert.ok(siteIds.has(id), `${step}: row ${id} is in the site's log`);
        const row = await k.core.deps.db.selectFrom('audit_log').select(['action', 'owner_id']).where('id', '=', id).executeTakeFirstOrThrow();
        if (row.action === 'blob.gc') {
          assert.equal(row.owner_id, null, 'bytes belong to no one');
          continue;
        }
        const entry = org.get(id);
        assert.ok(entry, `${step}: ${row.action} (row ${id}) is in acme's log`);
        assert.equal(entry.org, 'acme');
      }
    }
    const byStep = (name: string) => written.get(name)!.map((id) => org.get(id)!);
    assert.deepEqual(byStep('npm publish').map((e) => [e.actor, e.package, e.repo, e.target]), [['alice', 'npm/@acme/widget', 'acme/tools', 'npm:@acme/widget@1.0.0']]);
    assert.equal(byStep('npm publish by an organization member')[0]!.actor, 'bob');
    assert.deepEqual(byStep('container chunked upload: chunks, then the closing PUT').map((e) => [e.action, e.package, e.data['digest']]), [['container.upload.commit', null, image.config.digest]], 'no package before the first manifest');
    assert.deepEqual(byStep('container manifest deleted').map((e) => [e.action, e.package, e.data['version']]), [['version.delete', 'container/app', image.digest]]);
    const purges = byStep('purge of what was deleted more than 30 days ago');
    assert.deepEqual(purges.map((e) => [e.actor, e.actor_id, e.package, e.data['versions']]).sort(), [[null, null, 'container/app', [image.digest]], [null, null, 'npm/@acme/widget', ['1.0.1']]]);
    const reaped = byStep('container upload reaping and dangling blob links');
    assert.deepEqual(reaped.map((e) => [e.action, e.actor, e.target, e.package]).sort(), [
      ['container.blob.prune', null, 'container:app', 'container/app'],
      ['container.blob.prune', null, 'container:copy', null],
      ['container.upload.expire', null, 'container:app', 'container/app'],
    ]);
    const pruned = (target: string) => (reaped.find((e) => e.action === 'container.blob.prune' && e.target === target)!.data['digests'] as string[]).sort();
    assert.deepEqual(pruned('container:app'), [image.config.digest, image.layers[0]!.digest].sort());
    assert.deepEqual(pruned('container:copy'), [image.layers[0]!.digest]);
    const collected = (await get('/api/v1/audit-log?action=blob.gc&per_page=100', root)).json() as Entry[];
    assert.equal(collected.length, written.get('garbage collection')!.length);
    assert.ok(collected.every((e) => e.actor === null && e.org === null && e.target.startsWith('blob:')), 'collected blobs belong to no one');
  });

  it('lists entries newest first in GitHub’s shape, filtered by actor, action, package and time, with Link headers', async () => {
    const all = await orgLog();
    assert.ok(all.length >= 20, `the flow wrote ${all.length} entries`);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!['@timestamp'] >= all[i]!['@timestamp'], 'newest first');
    const entry = all.find((e) => e.action === 'tag.set')!;
    assert.deepEqual(Object.keys(entry).sort(), ['@timestamp', '_document_id', 'action', 'actor', 'actor_id', 'created_at', 'data', 'org', 'org_id', 'owner', 'package', 'package_id', 'repo', 'repo_id', 'target'].sort());
    assert.equal(entry.created_at, entry['@timestamp']);
    assert.deepEqual(entry.data, { tag: 'beta', version: '1.0.0' });

    const actions = (entries: Entry[]) => [...new Set(entries.map((e) => e.action))].sort();
    assert.deepEqual((await orgLog('&actor=bob')).map((e) => [e.action, e.package]), [['version.publish', 'npm/@acme/bobs']]);
    assert.deepEqual(actions(await orgLog('&action=tag.set')), ['tag.set']);
    assert.deepEqual(actions(await orgLog('&action=version.')), ['version.delete', 'version.deprecate', 'version.publish', 'version.purge']);
    assert.deepEqual(actions(await orgLog('&action=version')), ['version.delete', 'version.deprecate', 'version.publish', 'version.purge'], 'a bare prefix matches its actions too');
    assert.deepEqual(actions(await orgLog('&action=container.upload')), ['container.upload.cancel', 'container.upload.commit', 'container.upload.expire', 'container.upload.start']);
    assert.deepEqual(await orgLog('&action=versio'), [], 'a prefix ends at a dot');
    const widget = await orgLog(`&package=${encodeURIComponent('npm/@acme/widget')}`);
    assert.deepEqual(actions(widget), ['tag.remove', 'tag.set', 'version.delete', 'version.deprecate', 'version.publish', 'version.purge']);
    assert.deepEqual((await orgLog('&package=npm/widget')).map((e) => e._document_id), widget.map((e) => e._document_id), 'a bare npm name is the organization’s scope');
    assert.ok((await orgLog('&package=container/app')).every((e) => e.package === 'container/app'), 'only the image’s entries');
    assert.deepEqual(await orgLog('&package=npm/nothing'), []);

    const purge = all.find((e) => e.action === 'version.purge')!;
    const purgeDay = new Date(purge['@timestamp']).toISOString().slice(0, 10);
    const since = await orgLog(`&from=${new Date(purge['@timestamp']).toISOString()}`);
    assert.ok(since.length > 0 && since.every((e) => e['@timestamp'] >= purge['@timestamp']), 'entries from the purge on');
    assert.ok(since.some((e) => e.action === 'version.purge'), 'the purge itself');
    const before = await orgLog(`&to=${new Date(purge['@timestamp'] - dayMs).toISOString().slice(0, 10)}`);
    assert.equal(before.length + since.length, all.length, 'the flow ran 31 days before the purge');
    assert.ok((await orgLog(`&from=${purgeDay}&to=${purgeDay}`)).some((e) => e.action === 'version.purge'), 'a day as both bounds covers the whole day');

    const path = '/api/v1/orgs/acme/audit-log';
    const first = await get(`${path}?per_page=5&action=version.`, aliceAdmin);
    const versionEntries = all.filter((e) => e.action.startsWith('version.'));
    const lastPage = Math.ceil(versionEntries.length / 5);
    assert.deepEqual((first.json() as Entry[]).map((e) => e._document_id), versionEntries.slice(0, 5).map((e) => e._document_id));
    assert.equal(first.headers['link'], `<http://${host}${path}?per_page=5&action=version.&page=2>; rel="next", <http://${host}${path}?per_page=5&action=version.&page=${lastPage}>; rel="last"`);
    const past = await get(`${path}?per_page=5&action=version.&page=${lastPage + 1}`, aliceAdmin);
    assert.deepEqual(past.json(), []);
    assert.equal(past.headers['link'], `<http://${host}${path}?per_page=5&action=version.&page=${lastPage}>; rel="prev", <http://${host}${path}?per_page=5&action=version.&page=1>; rel="first"`);

    for (const [query, message] of [
      ['package=cobol/x', /unknown package_type "cobol"/],
      ['package=npm', /"package" must be TYPE\/NAME/],
      ['from=yesterday', /"from" must be an ISO 8601 day or time/],
      ['to=2024-02-30', /"to" must be an ISO 8601 day or time/],
      ['from=2024-06-01&to=2024-05-01', /"from" \(2024-06-01\) is not before "to"/],
      ['per_page=500', /"per_page" must be a whole number from 1 to 100/],
      ['actor=', /"actor" must be 1 to 200 characters/],
    ] as const) {
      const res = await get(`${path}?${query}`, aliceAdmin);
      assert.equal(res.statusCode, 400, query);
      assert.match(res.json().error.message, message, query);
    }
  });

  it('shows an organization’s log to its owners with an admin-scoped token or a password, and the site’s to site admins', async () => {
    const carol = await k.token('carol', ['admin']);
    const rootRead = await k.token('root', ['read:packages']);
    const cases: Array<[string, string | undefined, number, string?]> = [
      ['/api/v1/orgs/acme/audit-log', undefined, 401, 'UNAUTHENTICATED'],
      ['/api/v1/orgs/acme/audit-log', alice, 403, 'MISSING_SCOPE'],
      ['/api/v1/orgs/acme/audit-log', bob, 403, 'FORBIDDEN'],
      ['/api/v1/orgs/acme/audit-log', carol, 404, 'NOT_FOUND'],
      ['/api/v1/orgs/acme/audit-log', aliceAdmin, 200],
      ['/api/v1/orgs/acme/audit-log', root, 200],
      ['/api/v1/orgs/nobody/audit-log', aliceAdmin, 404, 'NOT_FOUND'],
      ['/api/v1/orgs/nobody/audit-log', undefined, 401, 'UNAUTHENTICATED'],
      ['/api/v1/audit-log', undefined, 401, 'UNAUTHENTICATED'],
      ['/api/v1/audit-log', aliceAdmin, 403, 'FORBIDDEN'],
      ['/api/v1/audit-log', rootRead, 403, 'MISSING_SCOPE'],
      ['/api/v1/audit-log', root, 200],
    ];
    for (const [url, token, status, code] of cases) {
      const res = await get(url, token);
      assert.equal(res.statusCode, status, `${url} with ${token?.slice(0, 12)}: ${res.body}`);
      if (code) assert.equal(res.json().error.code, code);
      if (status === 401) assert.match(String(res.headers['www-authenticate']), /^Bearer realm="kura"/);
    }
    await k.core.owners.createUser({ login: 'dave', password: 'correct horse battery' });
    await k.core.owners.setOrgMember('acme', 'dave', 'owner');
    const basic = `Basic ${Buffer.from('dave:correct horse battery').toString('base64')}`;
    const withPassword = await k.inject({ method: 'GET', url: '/api/v1/orgs/acme/audit-log?action=org.member.set', headers: { authorization: basic } });
    assert.equal(withPassword.statusCode, 200, withPassword.body);
    assert.deepEqual((withPassword.json() as Entry[]).map((e) => e.data['user']).slice(0, 2), ['dave', 'bob']);
  });
});
