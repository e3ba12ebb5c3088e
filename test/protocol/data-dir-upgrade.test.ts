import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import type { ContainerTables } from '../../src/formats/oci/tables.js';
import { createKura, createLogger, type Kura } from '../../src/main.js';
import type { FormatContext } from '../../src/formats/contract.js';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const facts = JSON.parse(readFileSync(join(fixtures, 'data-dir-0.1.json'), 'utf8')) as { token: string; tarballSha256: string; imageDigest: string; upload: string };

describe('a data directory written by Kura 0.1 (container tables named oci_*)', () => {
  let dir: string;
  let kura: Kura;
  const get = (url: string, headers: Record<string, string> = {}) => kura.app.inject({ method: 'GET', url, headers });
  const auth = { authorization: `Bearer ${facts.token}` };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kura-upgrade-'));
    cpSync(join(fixtures, 'data-dir-0.1'), dir, { recursive: true });
    kura = await createKura(loadConfig({ data: dir }, { KURA_LOG_LEVEL: 'silent' }), { logger: createLogger('silent') });
  });
  after(async () => {
    await kura.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexed the dependencies of the versions it held, once', async () => {
    const marker = await kura.core.deps.db.selectFrom('settings').select('value').where('key', '=', 'dependency-index.complete').executeTakeFirst();
    assert.equal(marker?.value, 'v1');
  });

  it('keeps its accounts and tokens', async () => {
    const res = await get('/api/v1/user', auth);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().login, 'alice');
  });

  it('serves its npm package and tarball bytes', async () => {
    const doc = await get('/npm/@alice%2fwidget');
    assert.equal(doc.statusCode, 200, doc.body);
    assert.equal(doc.json()['dist-tags'].latest, '1.0.0');
    const tarball = await get('/npm/@alice/widget/-/widget-1.0.0.tgz');
    assert.equal(tarball.statusCode, 200);
    assert.equal(createHash('sha256').update(tarball.rawPayload).digest('hex'), facts.tarballSha256);
  });

  it('serves its Maven artifact and generated metadata', async () => {
    assert.equal((await get('/maven/alice/tools/com/example/lib/1.0.0/lib-1.0.0.jar')).statusCode, 200);
    const metadata = await get('/maven/alice/tools/com/example/lib/maven-metadata.xml');
    assert.equal(metadata.statusCode, 200);
    assert.match(metadata.body, /<version>1\.0\.0<\/version>/);
  });

  it('serves its container image by tag, with blobs, its cleanup policy and its upload in progress', async () => {
    const manifest = await get('/v2/alice/web/manifests/v1', { accept: 'application/vnd.oci.image.manifest.v1+json' });
    assert.equal(manifest.statusCode, 200, manifest.body);
    assert.equal(manifest.headers['docker-content-digest'], facts.imageDigest);
    const config = (manifest.json() as { config: { digest: string } }).config.digest;
    assert.equal((await get(`/v2/alice/web/blobs/${config}`)).statusCode, 200);
    const settings = await get('/api/v1/users/alice/packages/container/web/settings', auth);
    assert.deepEqual(settings.json(), { untagged_retention_days: 7 });
    assert.equal((await get(facts.upload, auth)).statusCode, 204);
  });

  it('tied its audit rows to the owner, repository and package each concerns', async () => {
    const rows = await kura.core.deps.db.selectFrom('audit_log').select(['action', 'target', 'owner_id', 'repo_id', 'package_id']).orderBy('id').execute();
    const pkg = async (format: string, name: string) => (await kura.core.packages.queries.find(format, 'alice', name))!.id;
    const [widget, lib, web] = [await pkg('npm', '@alice/widget'), await pkg('maven', 'com.example:lib'), await pkg('container', 'web')];
    const tools = (await kura.core.repos.find('alice', 'tools'))!.id;
    assert.deepEqual(rows.map((r) => [r.action, r.owner_id, r.repo_id, r.package_id]), [
      ['user.create', 1, null, null],
      ['repo.create', 1, tools, null],
      ['token.create', 1, null, null],
      ['version.publish', 1, tools, widget],
      ['file.created', 1, tools, lib],
      ['tag.set', 1, tools, lib],
      ['tag.set', 1, tools, lib],
      ['file.created', 1, tools, lib],
      ['version.publish', 1, tools, web],
      ['package.settings', 1, tools, web],
    ]);
  });

  it('moved the container rows to the format’s own container_* tables', async () => {
    const ctx = kura.formatContexts.get('container') as FormatContext<ContainerTables>;
    assert.equal((await ctx.db.selectFrom('container_manifests').select('digest').execute()).map((r) => r.digest).join(), facts.imageDigest);
    assert.equal((await ctx.db.selectFrom('container_uploads').select('id').execute()).length, 1);
  });
});
