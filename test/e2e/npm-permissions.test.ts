import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createToken, tokenIdByName } from './support/accounts.js';
import { npm, npmClients, type RegistryAccess } from './support/clients.js';
import { startKuraServer, type KuraServer } from './support/kura-server.js';
import { expectFailure, expectSuccess } from './support/process.js';
import { greetingFor, greetingOf, writeConsumer, writeLibrary } from './support/projects.js';
import { Workspace } from './support/workspace.js';

const npmClient = npmClients.find((c) => c.id === 'npm')!;
const secretLib = '@alice/secret-lib';
const openLib = '@alice/open-lib';
const apiPath = (name: string) => `/api/v1/users/alice/packages/npm/${encodeURIComponent(name)}`;

describe('npm permissions against kura serve', { timeout: 600_000 }, () => {
  let server: KuraServer;
  let workspace: Workspace;
  const tokens = { aliceWrite: '', aliceRead: '', bob: '' };
  const access = (token?: string): RegistryAccess => ({ registry: server.npmRegistry, scope: 'alice', ...(token ? { token } : {}) });

  /** Publishes `name@version` (linked to `repo`) with npm and `token`; resolves to npm's result. */
  async function publish(name: string, version: string, repo: string, token: string) {
    const dir = await workspace.dir('publish');
    await writeLibrary(dir, { name, version, description: `fixture in ${repo}`, greeting: greetingFor(name, version), repository: `git+https://git.example.com/${repo}.git` });
    await npmClient.configure(dir, access(token));
    return npmClient.publish(workspace, dir);
  }

  /** Installs `name` with npm in a new consumer project, with `token` or anonymously. */
  async function install(name: string, token?: string) {
    const dir = await workspace.dir('consumer');
    await writeConsumer(dir);
    await npmClient.configure(dir, access(token));
    return { dir, result: await npmClient.add(workspace, dir, [name]) };
  }

  /** The published versions of a package, read with alice's full token through npm. */
  async function versionsOf(name: string): Promise<string[]> {
    const dir = await workspace.dir('view');
    await npmClient.configure(dir, access(tokens.aliceWrite));
    const view = JSON.parse(expectSuccess(await npm(workspace, dir, ['view', name, 'versions', '--json'])).stdout) as string[] | string;
    return Array.isArray(view) ? view : [view];
  }

  before(async () => {
    server = await startKuraServer();
    workspace = await Workspace.create();
    await server.kura(['user', 'create', 'alice']);
    await server.kura(['user', 'create', 'bob']);
    await server.kura(['repo', 'create', 'alice/secret', '--private']);
    await server.kura(['repo', 'create', 'alice/tools']);
    tokens.aliceWrite = await createToken(server, 'alice', ['read:packages', 'write:packages']);
    tokens.aliceRead = await createToken(server, 'alice', ['read:packages']);
    tokens.bob = await createToken(server, 'bob', ['read:packages', 'write:packages']);
    expectSuccess(await publish(secretLib, '1.0.0', 'alice/secret', tokens.aliceWrite));
    expectSuccess(await publish(openLib, '1.0.0', 'alice/tools', tokens.aliceWrite));
  });

  after(async () => {
    await server?.stop();
    await workspace?.remove();
  });

  it('links the package to the private repository, so it is private', async () => {
    const { status, body } = await server.getJson(apiPath(secretLib), tokens.aliceRead);
    assert.equal(status, 200, JSON.stringify(body));
    const pkg = body as { visibility: string; repository: { full_name: string } | null };
    assert.equal(pkg.repository?.full_name, 'alice/secret');
    assert.equal(pkg.visibility, 'private');
  });

  it('refuses an anonymous npm install of the private package with E401', async () => {
    const { result } = await install(secretLib);
    assert.match(expectFailure(result), /code E401/);
  });

  it('answers a signed-in user without access (bob) with E404', async () => {
    const { result } = await install(secretLib, tokens.bob);
    const output = expectFailure(result);
    assert.match(output, /code E404/);
    assert.match(output, /404 Not Found - GET .*@alice%2fsecret-lib/);
  });

  it('installs the private package with alice\'s read-only token, and its code runs', async () => {
    const { dir, result } = await install(secretLib, tokens.aliceRead);
    expectSuccess(result);
    assert.equal(await greetingOf(dir, secretLib), greetingFor(secretLib, '1.0.0'));
  });

  it('refuses a publish with a read-only token with E403 and stores nothing', async () => {
    const output = expectFailure(await publish(secretLib, '1.0.1', 'alice/secret', tokens.aliceRead));
    assert.match(output, /code E403/);
    assert.match(output, /write:packages/);
    assert.deepEqual(await versionsOf(secretLib), ['1.0.0']);
  });

  it('refuses bob publishing into the @alice scope, as a new package or a new version', async () => {
    const fresh = expectFailure(await publish('@alice/from-bob', '1.0.0', 'alice/tools', tokens.bob));
    assert.match(fresh, /code E403/);
    const { status } = await server.getJson(apiPath('@alice/from-bob'), tokens.aliceWrite);
    assert.equal(status, 404, 'the refused package was not created');

    const version = expectFailure(await publish(openLib, '1.0.1', 'alice/tools', tokens.bob));
    assert.match(version, /code E403/);
    assert.deepEqual(await versionsOf(openLib), ['1.0.0']);
  });

  it('refuses a token revoked with `kura token revoke` on the very next request', async () => {
    const name = 'revoked-while-serving';
    const token = await createToken(server, 'alice', ['read:packages', 'write:packages'], name);
    const project = await workspace.dir('whoami');
    await npmClient.configure(project, access(token));
    const whoami = () => npm(workspace, project, ['whoami', '--registry', server.npmRegistry]);
    assert.equal(expectSuccess(await whoami()).stdout.trim(), 'alice');
    expectSuccess((await install(openLib, token)).result);

    const id = await tokenIdByName(server, 'alice', name);
    assert.match(await server.kura(['token', 'revoke', String(id)]), new RegExp(`revoked token ${id}`));

    assert.match(expectFailure(await whoami()), /code E401/);
    assert.match(expectFailure((await install(openLib, token)).result), /code E401/);
    assert.match(expectFailure((await install(secretLib, token)).result), /code E401/);
  });
});
