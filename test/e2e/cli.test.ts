import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKuraProcess, type KuraProcess } from '../support/kura-process.js';

describe('the kura command beside a running server', () => {
  let kura: KuraProcess;

  before(async () => {
    kura = await startKuraProcess();
  });
  after(() => kura.stop());

  it('tells how to create the first user when the data directory is empty', () => {
    assert.match(kura.output(), /no users yet/);
    assert.match(kura.output(), /kura user create/);
  });

  it('creates users, organizations and repositories, and reports errors in one line', async () => {
    assert.match(await kura.cliOk(['user', 'create', 'alice', '--password-stdin', '--email', 'a@example.test'], 'correct horse battery\n'), /created user alice/);
    assert.match(await kura.cliOk(['user', 'create', 'bob']), /created user bob/);
    assert.match(await kura.cliOk(['org', 'create', 'acme', '--owner', 'alice']), /created organization acme/);
    assert.match(await kura.cliOk(['org', 'add-member', 'acme', 'bob', '--role', 'member']), /bob is now member of acme/);
    assert.match(await kura.cliOk(['repo', 'create', 'acme/site', '--private', '--description', 'web site']), /private repository acme\/site/);
    assert.match(await kura.cliOk(['repo', 'add-collaborator', 'acme/site', 'bob', '--role', 'write']), /bob now has write/);

    const duplicate = await kura.cli(['user', 'create', 'ALICE']);
    assert.equal(duplicate.code, 1);
    assert.equal(duplicate.stderr.trim().split('\n').length, 1);
    assert.match(duplicate.stderr, /^kura: the login "ALICE" is taken/);
    const badScope = await kura.cli(['token', 'create', '--user', 'alice', '--scopes', 'read:everything']);
    assert.equal(badScope.code, 1);
    assert.match(badScope.stderr, /unknown scope "read:everything"/);
    const usage = await kura.cli(['repo', 'explode']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /unknown command/);
  });

  it('prints only the token, lists tokens without revealing them, and revokes at once', async () => {
    const token = await kura.cliOk(['token', 'create', '--user', 'alice', '--scopes', 'read:packages,write:packages', '--name', 'ci', '--expires-in', '30d']);
    assert.match(token, /^kura_[0-9A-Za-z]{36}$/);
    const whoami = () => fetch(`${kura.url}/npm/-/whoami`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await whoami()).status, 200);
    const list = await kura.cliOk(['token', 'list', '--user', 'alice']);
    assert.match(list, /ci\tread:packages,write:packages\tactive\texpires 20/);
    assert.ok(!list.includes(token), 'listing never shows the token');
    const id = list.split('\t')[0]!;
    assert.match(await kura.cliOk(['token', 'revoke', id]), new RegExp(`revoked token ${id}`));
    const refused = await whoami();
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /Bearer/);
  });

  it('accepts the account password for creating a token through the API, and refuses a wrong one', async () => {
    const basic = (password: string) => `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`;
    const created = await fetch(`${kura.url}/api/v1/user/tokens`, {
      method: 'POST',
      headers: { authorization: basic('correct horse battery'), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'laptop', scopes: ['read:packages'] }),
    });
    assert.equal(created.status, 201);
    const body = (await created.json()) as { token: string; scopes: string[] };
    assert.deepEqual(body.scopes, ['read:packages']);
    const me = await fetch(`${kura.url}/api/v1/user`, { headers: { authorization: `Bearer ${body.token}` } });
    assert.equal(((await me.json()) as { login: string }).login, 'alice');
    const wrong = await fetch(`${kura.url}/api/v1/user/tokens`, { headers: { authorization: basic('wrong password') } });
    assert.equal(wrong.status, 401);
  });

  it('drafts, publishes and lists security advisories, which the running server serves at once', async () => {
    await kura.cliOk(['repo', 'create', 'alice/tools']);
    const file = join(kura.dataDir, 'advisory.json');
    await writeFile(file, JSON.stringify({
      summary: 'Remote code execution', description: 'Upgrade.', severity: 'critical',
      vulnerabilities: [{ package: { ecosystem: 'npm', name: '@alice/lib' }, vulnerable_version_range: '<2.0.0', patched_versions: '2.0.0' }],
    }));
    const draft = await kura.cliOk(['advisory', 'create', 'alice/tools', '--user', 'alice', '--file', file]);
    const [id, state] = draft.split('\t');
    assert.match(id!, /^KURA-/);
    assert.equal(state, 'draft');
    assert.match(await kura.cliOk(['advisory', 'list', 'alice/tools']), /has no advisories/);
    assert.match(await kura.cliOk(['advisory', 'publish', id!, '--user', 'alice']), /published/);
    assert.match(await kura.cliOk(['advisory', 'list', 'alice/tools']), new RegExp(`${id}\tpublished\tcritical`));
    const served = await fetch(`${kura.url}/api/v1/advisories/${id}`);
    assert.equal(served.status, 200);
    assert.equal(((await served.json()) as { summary: string }).summary, 'Remote code execution');
    const refused = await kura.cli(['advisory', 'create', 'alice/tools', '--user', 'bob', '--file', file]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^kura: you need admin permission/);
    const notAdmin = await kura.cli(['advisory', 'review', id!, '--user', 'alice']);
    assert.equal(notAdmin.code, 1);
    assert.match(notAdmin.stderr, /^kura: only site admins may review/);
    assert.match(await kura.cliOk(['alert', 'list', 'alice/tools']), /alice\/tools has no alerts/);
  });

  it('imports a directory of OSV advisories once, and again only when they changed', async () => {
    const dir = join(kura.dataDir, 'osv');
    await mkdir(dir);
    const record = (id: string, modified: string, ecosystem = 'npm') => ({
      schema_version: '1.6.0', id, modified, summary: `${id} summary`,
      affected: [{ package: { ecosystem, name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.1' }] }] }],
    });
    await writeFile(join(dir, 'a.json'), JSON.stringify(record('GHSA-aaaa-aaaa-aaaa', '2026-10-01T00:00:00Z')));
    await writeFile(join(dir, 'b.json'), JSON.stringify(record('GHSA-bbbb-bbbb-bbbb', '2026-10-01T00:00:00Z')));
    await writeFile(join(dir, 'c.json'), JSON.stringify(record('PYSEC-1', '2026-10-01T00:00:00Z', 'PyPI')));
    assert.match(await kura.cliOk(['advisory', 'import', dir]), /imported 2 advisories from 3 files \(0 already current, 1 about no ecosystem Kura serves\)/);
    assert.match(await kura.cliOk(['advisory', 'import', dir]), /imported 0 advisories from 3 files \(2 already current/);
    await writeFile(join(dir, 'a.json'), JSON.stringify({ ...record('GHSA-aaaa-aaaa-aaaa', '2026-11-01T00:00:00Z'), summary: 'updated' }));
    assert.match(await kura.cliOk(['advisory', 'import', join(dir, 'a.json')]), /imported 1 advisories from 1 files/);
    const served = (await (await fetch(`${kura.url}/api/v1/advisories/GHSA-aaaa-aaaa-aaaa?format=osv`)).json()) as { summary: string; database_specific: { source: string } };
    assert.deepEqual([served.summary, served.database_specific.source], ['updated', 'osv']);
  });

  it('serves /healthz', async () => {
    const res = await fetch(`${kura.url}/healthz`);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });
});
