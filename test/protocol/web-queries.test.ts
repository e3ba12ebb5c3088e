import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

/** Database queries run so far, as /metrics counts them. */
async function queriesSoFar(k: TestKura): Promise<number> {
  const res = await k.inject({ method: 'GET', url: '/metrics' });
  return res.body.split('\n').filter((l) => l.startsWith('kura_db_query_duration_seconds_count')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

describe('web pages cost the same queries however many versions a package has', () => {
  let k: TestKura;
  const counts = { '@alice/few': 3, '@alice/many': 120 } as const;

  before(async () => {
    k = await startTestKura({ KURA_METRICS: 'on' });
    const { token } = await k.user('alice');
    await k.core.repos.create({ fullName: 'alice/tools' });
    for (const [name, count] of Object.entries(counts)) {
      for (let i = 0; i < count; i++) {
        const version = `1.0.${i}`;
        const manifest = { repository: 'alice/tools', dependencies: { '@alice/few': '^1.0.0', leftpad: '^1.0.0' } };
        const tarball = await buildTarball({ name, version, manifest, files: { 'README.md': `# ${name} ${version}` } });
        const res = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: publishBody(name, version, tarball, { manifest }) });
        assert.equal(res.statusCode, 201, res.body);
        await k.inject({ method: 'GET', url: `/npm/${name}/-/${name.split('/')[1]}-${version}.tgz` });
      }
    }
    await k.core.downloads.flush();
  });
  after(() => k.close());

  /** The queries one GET of `path` runs, after a first GET has warmed every cache. */
  async function queriesOf(path: string): Promise<number> {
    assert.equal((await k.inject({ method: 'GET', url: path })).statusCode, 200, path);
    const before = await queriesSoFar(k);
    const res = await k.inject({ method: 'GET', url: path });
    assert.equal(res.statusCode, 200, path);
    return (await queriesSoFar(k)) - before;
  }

  for (const [page, suffix] of [['package page', ''], ['versions list', '/versions'], ['version page', '/versions/1.0.1'], ['second page of versions', '/versions?page=2']] as const) {
    it(`the ${page}`, async () => {
      const base = (name: string) => `/alice/-/packages/npm/${encodeURIComponent(name)}${suffix}`;
      const few = await queriesOf(base('@alice/few'));
      const many = await queriesOf(base('@alice/many'));
      assert.ok(few > 0, 'the metrics count no queries');
      assert.equal(many, few, `${counts['@alice/many']} versions cost ${many} queries, ${counts['@alice/few']} cost ${few}`);
    });
  }
});
