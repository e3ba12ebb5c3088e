import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { operator } from '../../src/core/access/principal.js';
import { startTestKura, TestClock, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { imageFixture, pushImage } from '../support/oci-fixtures.js';

const host = 'kura.test';
const dayMs = 86_400_000;

/** Database queries run so far, as /metrics counts them. */
async function queriesSoFar(k: TestKura): Promise<number> {
  const res = await k.inject({ method: 'GET', url: '/metrics' });
  return res.body.split('\n').filter((l) => l.startsWith('kura_db_query_duration_seconds_count')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

describe('REST API: packages and versions, paged like GitHub, with downloads', () => {
  const clock = new TestClock();
  let k: TestKura;
  let alice: string;
  let bob: string;
  let carol: string;
  const get = (url: string, token?: string) => k.inject({ method: 'GET', url, token, headers: { host } });
  const names = (res: LightMyRequestResponse) => (res.json() as Array<{ name: string }>).map((p) => p.name);
  const link = (path: string, rel: string) => `<http://${host}${path}>; rel="${rel}"`;

  async function publish(token: string, name: string, version: string, repository?: string) {
    const manifest = repository ? { repository, license: 'MIT' } : { license: 'MIT' };
    const tarball = await buildTarball({ name, version, manifest });
    const res = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: publishBody(name, version, tarball, { manifest }) });
    assert.equal(res.statusCode, 201, res.body);
  }

  before(async () => {
    k = await startTestKura({ KURA_METRICS: 'on' }, clock);
    alice = (await k.user('alice')).token;
    bob = (await k.user('bob')).token;
    carol = (await k.user('carol')).token;
    await k.core.owners.createOrg('acme', 'alice');
    await k.core.repos.create({ fullName: 'acme/public' });
    await k.core.repos.create({ fullName: 'acme/private', visibility: 'private' });
    await k.core.repos.setCollaborator('acme/private', 'carol', 'read');
    for (const n of [1, 2, 3, 4, 5]) await publish(alice, `@acme/p${n}`, '1.0.0', 'acme/public');
    for (const v of ['1.0.1', '1.0.2', '1.1.0', '2.0.0']) await publish(alice, '@acme/p1', v, 'acme/public');
    await publish(alice, '@acme/secret', '1.0.0', 'acme/private');
    await publish(alice, '@acme/loose', '1.0.0');
    const pushed = await pushImage(k, alice, 'acme/app', imageFixture(), 'v1');
    assert.equal(pushed.statusCode, 201, pushed.body);
    await publish(alice, '@alice/own', '1.0.0');
  });
  after(() => k.close());

  const everything = ['@acme/loose', '@acme/p1', '@acme/p2', '@acme/p3', '@acme/p4', '@acme/p5', '@acme/secret', 'app'];

  it('pages an organization’s packages by name with GitHub’s Link header: first, middle, last and past the end', async () => {
    const path = '/api/v1/orgs/acme/packages';
    const first = await get(`${path}?per_page=3`, alice);
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(names(first), everything.slice(0, 3));
    assert.equal(first.headers['link'], [link(`${path}?per_page=3&page=2`, 'next'), link(`${path}?per_page=3&page=3`, 'last')].join(', '));

    const middle = await get(`${path}?page=2&per_page=3`, alice);
    assert.deepEqual(names(middle), everything.slice(3, 6));
    assert.equal(middle.headers['link'], [
      link(`${path}?page=1&per_page=3`, 'prev'), link(`${path}?page=3&per_page=3`, 'next'),
      link(`${path}?page=3&per_page=3`, 'last'), link(`${path}?page=1&per_page=3`, 'first'),
    ].join(', '));

    const last = await get(`${path}?per_page=3&page=3`, alice);
    assert.deepEqual(names(last), everything.slice(6));
    assert.equal(last.headers['link'], [link(`${path}?per_page=3&page=2`, 'prev'), link(`${path}?per_page=3&page=1`, 'first')].join(', '));

    const beyond = await get(`${path}?per_page=3&page=9&package_type=npm`, alice);
    assert.equal(beyond.statusCode, 200);
    assert.deepEqual(beyond.json(), []);
    assert.equal(beyond.headers['link'], [link(`${path}?per_page=3&page=3&package_type=npm`, 'prev'), link(`${path}?per_page=3&page=1&package_type=npm`, 'first')].join(', '), 'seven npm packages make three pages');

    const whole = await get(`${path}?per_page=100`, alice);
    assert.deepEqual(names(whole), everything);
    assert.equal(whole.headers['link'], undefined, 'one page needs no links');
    assert.deepEqual(names(await get(path, alice)), everything, 'thirty a page by default');
    const none = await get(`${path}?visibility=public&package_type=container`, alice);
    assert.deepEqual(none.json(), []);
    assert.equal(none.headers['link'], undefined);
  });

  it('lists what each caller may read, filtered by package_type and visibility', async () => {
    const path = '/api/v1/orgs/acme/packages';
    const publicOnes = ['@acme/p1', '@acme/p2', '@acme/p3', '@acme/p4', '@acme/p5'];
    assert.deepEqual(names(await get(path)), publicOnes, 'anonymous callers see public packages');
    assert.deepEqual(names(await get(path, bob)), publicOnes, 'an outsider too');
    assert.deepEqual(names(await get(path, carol)), [...publicOnes, '@acme/secret'], 'a collaborator also sees the private repository’s package');
    const restricted = await k.token('alice', ['read:packages'], { repo: 'acme/private' });
    assert.deepEqual(names(await get(path, restricted)), [...publicOnes, '@acme/secret'], 'a token restricted to one repository');
    assert.deepEqual(names(await get(`${path}?visibility=private`, alice)), ['@acme/loose', '@acme/secret', 'app']);
    assert.deepEqual(names(await get(`${path}?package_type=container`, alice)), ['app']);
    assert.deepEqual(names(await get(`${path}?package_type=npm&visibility=public`, bob)), publicOnes);
    const repoPackages = await get('/api/v1/repos/acme/public/packages?per_page=2', bob);
    assert.deepEqual(names(repoPackages), ['@acme/p1', '@acme/p2']);
    assert.match(String(repoPackages.headers['link']), /rel="last"/);

    const p1 = (await get(path, bob)).json()[0];
    assert.equal(p1.version_count, 5);
    assert.equal(p1.package_type, 'npm');
    assert.equal(p1.url, `http://${host}/api/v1/orgs/acme/packages/npm/%40acme%2Fp1`);
    assert.equal(p1.html_url, `http://${host}/acme/-/packages/npm/%40acme%2Fp1`);
  });

  it('answers 400 naming what is allowed for bad filters and paging', async () => {
    const path = '/api/v1/orgs/acme/packages';
    for (const [query, message] of [
      ['package_type=cobol', /"package_type" must be one of npm, .*container.*not "cobol"/],
      ['visibility=internal', /"visibility" must be public or private/],
      ['per_page=0', /"per_page" must be a whole number from 1 to 100/],
      ['per_page=101', /from 1 to 100/],
      ['per_page=2.5', /"per_page"/],
      ['page=0', /"page" must be a whole number/],
      ['page=abc', /"page"/],
      ['page=1&page=2', /"page" may be given once/],
    ] as const) {
      const res = await get(`${path}?${query}`, alice);
      assert.equal(res.statusCode, 400, query);
      assert.equal(res.json().error.code, 'BAD_REQUEST');
      assert.match(res.json().error.message, message, query);
    }
    assert.equal((await get(`${path}?per_page=100&page=1`, alice)).statusCode, 200);
    const versions = await get('/api/v1/orgs/acme/packages/npm/p1/versions?state=bogus', alice);
    assert.equal(versions.statusCode, 400);
    assert.match(versions.json().error.message, /"state" must be active or deleted/);
  });

  it('lists packages in the same number of queries however many are on the page', async () => {
    const queriesOf = async (url: string, token: string) => {
      assert.equal((await get(url, token)).statusCode, 200);
      const start = await queriesSoFar(k);
      assert.equal((await get(url, token)).statusCode, 200);
      return (await queriesSoFar(k)) - start;
    };
    for (const token of [alice, carol]) {
      const two = await queriesOf('/api/v1/orgs/acme/packages?per_page=2', token);
      const all = await queriesOf('/api/v1/orgs/acme/packages?per_page=100', token);
      assert.ok(two > 0, 'the metrics count queries');
      assert.equal(all, two, `a page of 8 packages costs ${all} queries, a page of 2 costs ${two}`);
    }
  });

  it('serves the caller’s own packages under /user, and 401s anonymous callers there', async () => {
    const own = await get('/api/v1/user/packages', alice);
    assert.deepEqual(names(own), ['@alice/own']);
    assert.deepEqual(names(await get('/api/v1/user/packages?package_type=container', alice)), []);
    assert.equal((await get('/api/v1/user/packages')).statusCode, 401);
    const base = `/api/v1/user/packages/npm/${encodeURIComponent('@alice/own')}`;
    const pkg = await get(base, alice);
    assert.equal(pkg.statusCode, 200, pkg.body);
    assert.equal(pkg.json().url, `http://${host}/api/v1/users/alice/packages/npm/%40alice%2Fown`);
    assert.equal((await get('/api/v1/user/packages/npm/own', alice)).json().id, pkg.json().id, 'a bare npm name is the caller’s scope');
    assert.equal((await get(base, bob)).statusCode, 404, 'under /user, bob looks in his own packages');
    assert.equal((await get(base)).statusCode, 401);
    const [version] = (await get(`${base}/versions`, alice)).json();
    assert.equal((await get(`${base}/versions/${version.id}`, alice)).json().name, '1.0.0');
    assert.equal((await k.inject({ method: 'DELETE', url: `${base}/versions/${version.id}`, token: alice })).statusCode, 204);
    assert.equal((await get(`${base}/versions?state=deleted`, alice)).json()[0].id, version.id);
    assert.equal((await k.inject({ method: 'POST', url: `${base}/versions/${version.id}/restore`, token: alice })).statusCode, 204);
    assert.equal((await k.inject({ method: 'DELETE', url: base, token: alice })).statusCode, 204);
    assert.equal((await get(base, alice)).statusCode, 404);
    assert.equal((await k.inject({ method: 'POST', url: `${base}/restore`, token: alice })).statusCode, 204);
    assert.equal((await get(base, alice)).statusCode, 200);
  });

  it('pages versions newest first, in GitHub’s version shape with Kura’s download counts', async () => {
    const base = '/api/v1/orgs/acme/packages/npm/p1/versions';
    const first = await get(`${base}?per_page=2`, bob);
    assert.deepEqual(names(first), ['2.0.0', '1.1.0']);
    assert.equal(first.headers['link'], [link(`${base}?per_page=2&page=2`, 'next'), link(`${base}?per_page=2&page=3`, 'last')].join(', '));
    assert.deepEqual(names(await get(`${base}?per_page=2&page=3`, bob)), ['1.0.0']);
    const beyond = await get(`${base}?per_page=2&page=4`, bob);
    assert.deepEqual(beyond.json(), []);
    assert.equal(beyond.headers['link'], [link(`${base}?per_page=2&page=3`, 'prev'), link(`${base}?per_page=2&page=1`, 'first')].join(', '));

    const version = first.json()[0];
    assert.deepEqual(Object.keys(version).filter((key) => !['install', 'deprecated', 'download_count'].includes(key)).sort(),
      ['created_at', 'deleted_at', 'description', 'html_url', 'id', 'license', 'metadata', 'name', 'package_html_url', 'updated_at', 'url']);
    assert.equal(version.url, `http://${host}/api/v1/orgs/acme/packages/npm/%40acme%2Fp1/versions/${version.id}`);
    assert.equal(version.html_url, `http://${host}/acme/-/packages/npm/%40acme%2Fp1/versions/2.0.0`);
    assert.equal(version.package_html_url, `http://${host}/acme/-/packages/npm/%40acme%2Fp1`);
    assert.equal(version.license, 'MIT');
    assert.equal(version.metadata.package_type, 'npm');
    assert.deepEqual(version.metadata.npm.distTags, ['latest']);
    assert.equal(version.download_count, 0);

    const image = (await get('/api/v1/orgs/acme/packages/container/app/versions', alice)).json()[0];
    assert.equal(image.metadata.package_type, 'container');
    assert.deepEqual(image.metadata.container.tags, ['v1']);

    const [older] = (await get(`${base}?per_page=1&page=5`, alice)).json();
    assert.equal((await k.inject({ method: 'DELETE', url: `${base}/${older.id}`, token: alice })).statusCode, 204);
    const deleted = await get(`${base}?state=deleted`, alice);
    assert.deepEqual(names(deleted), ['1.0.0']);
    assert.equal((await get(`${base}?state=deleted`, bob)).statusCode, 403, 'deleted versions are for those who may restore them');
    assert.equal((await get(base, bob)).json().length, 4);
    assert.equal((await get(`${base}/${older.id}`, bob)).statusCode, 404);
    assert.equal((await get(`${base}/not-a-number`, bob)).statusCode, 404);
    assert.equal((await k.inject({ method: 'POST', url: `${base}/${older.id}/restore`, token: alice })).statusCode, 204);
  });

  it('counts downloads per day over a range of days, for a package and for one version', async () => {
    const today = clock.now().toISOString().slice(0, 10);
    const day = (offset: number) => new Date(Date.parse(`${today}T00:00:00Z`) + offset * dayMs).toISOString().slice(0, 10);
    const download = async (version: string, times: number) => {
      for (let i = 0; i < times; i++) assert.equal((await get(`/npm/@acme/p2/-/p2-${version}.tgz`)).statusCode, 200);
    };
    await publish(alice, '@acme/p2', '1.1.0', 'acme/public');
    clock.advance(-2 * dayMs);
    await download('1.0.0', 2);
    await k.core.downloads.flush();
    clock.advance(2 * dayMs);
    await download('1.0.0', 1);
    await download('1.1.0', 3);
    await k.core.downloads.flush();

    const base = '/api/v1/orgs/acme/packages/npm/p2';
    const range = await get(`${base}/downloads?from=${day(-3)}&to=${day(0)}`, bob);
    assert.equal(range.statusCode, 200, range.body);
    assert.deepEqual(range.json(), {
      from: day(-3), to: day(0), total: 6,
      days: [{ day: day(-3), count: 0 }, { day: day(-2), count: 2 }, { day: day(-1), count: 0 }, { day: day(0), count: 4 }],
    });
    const standard = (await get(`${base}/downloads`, bob)).json();
    assert.equal(standard.days.length, 30, 'the last 30 days by default');
    assert.equal(standard.to, today);
    assert.equal(standard.from, day(-29));
    assert.equal(standard.total, 6);
    assert.equal((await get(`${base}/downloads?to=${day(-1)}`, bob)).json().total, 2, 'the 30 days ending at "to"');
    assert.equal((await get(`${base}/downloads?from=${day(-1)}`, bob)).json().total, 4, 'from "from" to today');

    const versions = (await get(`${base}/versions`, bob)).json() as Array<{ id: number; name: string; download_count: number }>;
    const old = versions.find((v) => v.name === '1.0.0')!;
    assert.equal(old.download_count, 3);
    assert.equal(versions.find((v) => v.name === '1.1.0')!.download_count, 3);
    const one = (await get(`${base}/versions/${old.id}/downloads?from=${day(-2)}&to=${day(-1)}`, bob)).json();
    assert.deepEqual(one.days, [{ day: day(-2), count: 2 }, { day: day(-1), count: 0 }]);
    assert.equal(one.total, 2);
    assert.equal((await get(`/api/v1/orgs/acme/packages?package_type=npm&per_page=100`, bob)).json().find((p: { name: string }) => p.name === '@acme/p2').download_count, 6);
    assert.equal((await get(base, bob)).json().download_count, 6);

    assert.equal((await get(`${base}/downloads?from=${day(-365)}&to=${day(0)}`, bob)).json().days.length, 366, 'at most 366 days');
    for (const [query, message] of [
      [`from=${day(-366)}&to=${day(0)}`, /has 367 days; ask for at most 366/],
      [`from=${day(0)}&to=${day(-1)}`, /is after "to"/],
      ['from=2024-02-30', /"from" must be a day as YYYY-MM-DD/],
      ['to=2024-1-1', /"to" must be a day/],
      ['to=yesterday', /"to" must be a day/],
    ] as const) {
      const res = await get(`${base}/downloads?${query}`, bob);
      assert.equal(res.statusCode, 400, query);
      assert.match(res.json().error.message, message, query);
    }
    assert.equal((await get('/api/v1/orgs/acme/packages/npm/secret/downloads', bob)).statusCode, 404, 'a private package’s downloads are as private as it is');
    assert.equal((await get('/api/v1/orgs/acme/packages/npm/secret/downloads')).statusCode, 401);
    assert.equal((await get('/api/v1/orgs/acme/packages/npm/secret/downloads', carol)).statusCode, 200);
  });

  it('lists a linked package that keeps access of its own by its own visibility, in SQL as one at a time', async () => {
    await publish(alice, '@acme/kept', '1.0.0', 'acme/public');
    const admin = await k.token('alice', ['admin']);
    const changed = await k.inject({ method: 'PATCH', url: '/api/v1/orgs/acme/packages/npm/kept', token: admin, payload: { inherit_access: false, visibility: 'private' } });
    assert.equal(changed.statusCode, 200, changed.body);
    const path = '/api/v1/orgs/acme/packages?package_type=npm&per_page=100';
    const listed = async (token?: string) => names(await get(path, token)).includes('@acme/kept');
    assert.equal(await listed(alice), true);
    assert.equal(await listed(bob), false, 'private of its own, though its repository is public');
    assert.equal(await listed(), false);
    assert.deepEqual(names(await get('/api/v1/repos/acme/public/packages?visibility=private', alice)), ['@acme/kept']);
    for (const token of [alice, bob, carol, undefined]) {
      for (const pkg of (await get(`${path}&visibility=public`, token)).json() as Array<{ name: string }>) {
        assert.equal((await get(`/api/v1/orgs/acme/packages/npm/${encodeURIComponent(pkg.name)}`, token)).statusCode, 200, `${pkg.name} is listed, so it can be read`);
      }
    }
    await k.core.packages.setMember(operator, (await k.core.packages.queries.find('npm', 'acme', '@acme/kept'))!, 'bob', 'read');
    assert.equal(await listed(bob), true, 'a role of its own lets bob read it');
  });
});
