import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKuraProcess, type KuraProcess } from '../support/kura-process.js';
import { buildTarball, publishBody } from '../support/npm-fixtures.js';

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
    for (const disguised of [`0x${Number(id).toString(16)}`, `${id}e0`, `0${id}`, `${id}.0`]) {
      const refusedId = await kura.cli(['token', 'revoke', disguised]);
      assert.equal(refusedId.code, 2, `${disguised}: ${refusedId.stdout}${refusedId.stderr}`);
      assert.match(refusedId.stderr, /^kura: ID must be a number/);
      assert.equal((await whoami()).status, 200, `${disguised} revoked nothing`);
    }
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

  it('administers repositories, organizations and packages, which the running server honours at once', async () => {
    assert.match(await kura.cliOk(['repo', 'update', 'acme/site', '--public', '--description', 'the web site']), /acme\/site is public: the web site/);
    const site = await fetch(`${kura.url}/api/v1/repos/acme/site`);
    assert.equal(site.status, 200);
    assert.equal(((await site.json()) as { description: string }).description, 'the web site');
    assert.match(await kura.cliOk(['repo', 'update', 'acme/site', '--private', '--description', '']), /^acme\/site is private$/);
    assert.equal((await fetch(`${kura.url}/api/v1/repos/acme/site`)).status, 401);
    assert.equal((await kura.cli(['repo', 'update', 'acme/site', '--private', '--public'])).code, 2);
    assert.equal((await kura.cli(['repo', 'update', 'acme/site'])).code, 2);

    assert.match(await kura.cliOk(['repo', 'remove-collaborator', 'acme/site', 'bob']), /bob is no longer a collaborator on acme\/site/);
    const gone = await kura.cli(['repo', 'remove-collaborator', 'acme/site', 'bob']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^kura: bob is not a collaborator on acme\/site/);

    assert.match(await kura.cliOk(['org', 'set-role', 'acme', 'bob', 'owner']), /bob is now owner of acme/);
    await kura.cliOk(['user', 'create', 'carol']);
    const outsider = await kura.cli(['org', 'set-role', 'acme', 'carol', 'member']);
    assert.equal(outsider.code, 1);
    assert.match(outsider.stderr, /^kura: carol is not a member of acme/);
    assert.match(await kura.cliOk(['org', 'remove-member', 'acme', 'alice']), /removed alice from acme \(with their roles on 0 of its repositories and 0 of its packages\)/);
    const last = await kura.cli(['org', 'remove-member', 'acme', 'bob']);
    assert.equal(last.code, 1);
    assert.match(last.stderr, /^kura: bob is the last owner of acme/);
    const demote = await kura.cli(['org', 'add-member', 'acme', 'bob', '--role', 'member']);
    assert.equal(demote.code, 1);
    assert.match(demote.stderr, /last owner/);

    const aliceToken = await kura.cliOk(['token', 'create', '--user', 'alice', '--scopes', 'write:packages']);
    const bobToken = await kura.cliOk(['token', 'create', '--user', 'bob', '--scopes', 'read:packages']);
    const tarball = await buildTarball({ name: '@alice/cli', version: '1.0.0' });
    const published = await fetch(`${kura.url}/npm/@alice%2fcli`, {
      method: 'PUT', headers: { authorization: `Bearer ${aliceToken}`, 'content-type': 'application/json' }, body: JSON.stringify(publishBody('@alice/cli', '1.0.0', tarball)),
    });
    assert.equal(published.status, 201);
    const asBob = () => fetch(`${kura.url}/npm/@alice%2fcli`, { headers: { authorization: `Bearer ${bobToken}` } });
    assert.equal((await asBob()).status, 404);
    assert.match(await kura.cliOk(['package', 'set-role', 'alice', 'npm', '@alice/cli', 'bob', 'read']), /bob now has read on npm package @alice\/cli/);
    assert.equal((await asBob()).status, 200);
    assert.match(await kura.cliOk(['package', 'remove-role', 'alice', 'npm', '@alice/cli', 'bob']), /bob no longer has a role on npm package @alice\/cli/);
    assert.equal((await asBob()).status, 404);

    await kura.cliOk(['repo', 'create', 'alice/cli-home']);
    assert.match(await kura.cliOk(['package', 'link', 'alice', 'npm', '@alice/cli', 'alice/cli-home']), /npm package @alice\/cli is linked to alice\/cli-home \(public\)/);
    assert.equal((await fetch(`${kura.url}/npm/@alice%2fcli`)).status, 200, 'public like its repository');
    assert.match(await kura.cliOk(['package', 'unlink', 'alice', 'npm', '@alice/cli']), /npm package @alice\/cli is no longer linked \(public\)/);
    const unknown = await kura.cli(['package', 'link', 'alice', 'cobol', 'x', 'alice/cli-home']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown package type "cobol"/);
    const missing = await kura.cli(['package', 'unlink', 'alice', 'npm', '@alice/none']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^kura: no npm package @alice\/none owned by alice/);
  });

  it('serves /healthz', async () => {
    const res = await fetch(`${kura.url}/healthz`);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });
});
