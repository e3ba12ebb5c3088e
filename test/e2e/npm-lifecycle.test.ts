import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createToken } from './support/accounts.js';
import { npm, npmClients, type RegistryAccess } from './support/clients.js';
import { startKuraServer, type KuraServer } from './support/kura-server.js';
import { expectFailure, expectSuccess } from './support/process.js';
import { greetingFor, greetingOf, writeConsumer, writeLibrary } from './support/projects.js';
import { Workspace } from './support/workspace.js';

const npmClient = npmClients.find((c) => c.id === 'npm')!;
const name = '@alice/lifecycle';
const description = 'a quokka themed fixture for registry commands';

/** Parses the JSON an `npm … --json` command printed on stdout. */
function jsonOf<T>(stdout: string): T {
  return JSON.parse(stdout) as T;
}

describe('npm registry commands against kura serve', { timeout: 600_000 }, () => {
  let server: KuraServer;
  let workspace: Workspace;
  let alice: RegistryAccess;
  let anonymous: RegistryAccess;
  /** A project directory configured with alice's token, where npm commands run. */
  let project: string;

  /** Runs `npm ARGS` in alice's project directory and returns stdout. @throws Error on failure. */
  const npmOk = async (args: readonly string[]) => expectSuccess(await npm(workspace, project, args)).stdout;

  /** Writes `name@version` into a new directory configured with alice's token and publishes it with npm. */
  async function publish(packageName: string, version: string) {
    const dir = await workspace.dir('publish');
    await writeLibrary(dir, { name: packageName, version, description, greeting: greetingFor(packageName, version), repository: 'https://git.example.com/alice/tools' });
    await npmClient.configure(dir, alice);
    return npmClient.publish(workspace, dir);
  }

  /** Installs `spec` with npm in a new consumer project configured with `access`. */
  async function install(spec: string, access: RegistryAccess) {
    const dir = await workspace.dir('consumer');
    await writeConsumer(dir);
    await npmClient.configure(dir, access);
    return { dir, result: await npmClient.add(workspace, dir, [spec]) };
  }

  before(async () => {
    server = await startKuraServer();
    workspace = await Workspace.create();
    await server.kura(['user', 'create', 'alice']);
    await server.kura(['repo', 'create', 'alice/tools']);
    const token = await createToken(server, 'alice', ['read:packages', 'write:packages', 'delete:packages']);
    alice = { registry: server.npmRegistry, scope: 'alice', token };
    anonymous = { registry: server.npmRegistry, scope: 'alice' };
    project = await workspace.dir('project');
    await writeConsumer(project);
    await npmClient.configure(project, alice);
    expectSuccess(await publish(name, '1.0.0'));
  });

  after(async () => {
    await server?.stop();
    await workspace?.remove();
  });

  it('npm ping gets a PONG', async () => {
    const result = expectSuccess(await npm(workspace, project, ['ping', '--registry', server.npmRegistry]));
    assert.match(result.stderr + result.stdout, /PONG/);
  });

  it('npm whoami prints the token\'s user', async () => {
    assert.equal((await npmOk(['whoami', '--registry', server.npmRegistry])).trim(), 'alice');
  });

  it('npm view shows the version, description, dist-tags and tarball', async () => {
    const view = jsonOf<{ name: string; version: string; description: string; 'dist-tags': Record<string, string>; dist: { tarball: string } }>(
      await npmOk(['view', name, '--json']),
    );
    assert.equal(view.name, name);
    assert.equal(view.version, '1.0.0');
    assert.equal(view.description, description);
    assert.deepEqual(view['dist-tags'], { latest: '1.0.0' });
    assert.equal(view.dist.tarball, `${server.npmRegistry}${name}/-/lifecycle-1.0.0.tgz`);
  });

  it('npm search finds the package by a word of its description, and only it', async () => {
    const found = await npmOk(['search', 'quokka', '--registry', server.npmRegistry]);
    assert.match(found, /@alice\/lifecycle/);
    assert.match(found, /quokka themed fixture/);
    const json = jsonOf<{ name: string }[]>(await npmOk(['search', 'quokka', '--json', '--registry', server.npmRegistry]));
    assert.deepEqual(json.map((p) => p.name), [name]);
    const none = await npmOk(['search', 'wombat', '--registry', server.npmRegistry]);
    assert.doesNotMatch(none, /@alice\/lifecycle/);
    assert.match(none, /No matches found/);
  });

  it('npm dist-tag add, ls and rm manage a dist-tag', async () => {
    assert.match(await npmOk(['dist-tag', 'add', `${name}@1.0.0`, 'beta']), /\+beta: @alice\/lifecycle@1\.0\.0/);
    const listed = await npmOk(['dist-tag', 'ls', name]);
    assert.match(listed, /^beta: 1\.0\.0$/m);
    assert.match(listed, /^latest: 1\.0\.0$/m);
    const packument = await server.getJson(`/npm/${name.replace('/', '%2f')}`);
    assert.deepEqual((packument.body as { 'dist-tags': unknown })['dist-tags'], { latest: '1.0.0', beta: '1.0.0' });

    assert.match(await npmOk(['dist-tag', 'rm', name, 'beta']), /-beta: @alice\/lifecycle@1\.0\.0/);
    const remaining = await npmOk(['dist-tag', 'ls', name]);
    assert.doesNotMatch(remaining, /beta/);
    assert.match(remaining, /^latest: 1\.0\.0$/m);
  });

  it('npm deprecate marks a version deprecated, and an empty message clears it', async () => {
    const message = 'use @alice/lifecycle 2 instead';
    await npmOk(['deprecate', `${name}@1.0.0`, message]);
    assert.equal((await npmOk(['view', `${name}@1.0.0`, 'deprecated'])).trim(), message);
    assert.match(await npmOk(['view', name]), /DEPRECATED.*use @alice\/lifecycle 2 instead/);
    const packument = await server.getJson(`/npm/${name.replace('/', '%2f')}`);
    assert.equal((packument.body as { versions: Record<string, { deprecated?: string }> }).versions['1.0.0']?.deprecated, message);

    await npmOk(['deprecate', `${name}@1.0.0`, '']);
    const cleared = await server.getJson(`/npm/${name.replace('/', '%2f')}`);
    assert.equal((cleared.body as { versions: Record<string, { deprecated?: string }> }).versions['1.0.0']?.deprecated, undefined);
  });

  it('npm unpublish of one version removes it, and publishing that version again answers 409', async () => {
    expectSuccess(await publish(name, '1.0.1'));
    assert.deepEqual(jsonOf<string[]>(await npmOk(['view', name, 'versions', '--json'])), ['1.0.0', '1.0.1']);

    assert.match(await npmOk(['unpublish', `${name}@1.0.1`, '--force']), /- @alice\/lifecycle@1\.0\.1/);
    const view = jsonOf<{ versions: string[]; 'dist-tags': Record<string, string> }>(await npmOk(['view', name, 'versions', 'dist-tags', '--json']));
    assert.deepEqual(view.versions, ['1.0.0']);
    assert.equal(view['dist-tags']['latest'], '1.0.0');

    const again = expectFailure(await publish(name, '1.0.1'));
    assert.match(again, /code E409/);
    assert.match(again, /409 Conflict/);
    assert.match(again, /@alice\/lifecycle@1\.0\.1 already exists/);
  });

  it('npm unpublish of a whole package makes installing it fail', async () => {
    const doomed = '@alice/doomed';
    expectSuccess(await publish(doomed, '1.0.0'));
    const installed = await install(doomed, anonymous);
    expectSuccess(installed.result);
    assert.equal(await greetingOf(installed.dir, doomed), greetingFor(doomed, '1.0.0'));

    assert.match(await npmOk(['unpublish', doomed, '--force']), /- @alice\/doomed/);
    assert.match(expectFailure((await install(doomed, anonymous)).result), /code E401/);
    assert.match(expectFailure((await install(doomed, alice)).result), /code E404/);
    assert.match(expectFailure(await npm(workspace, project, ['view', doomed])), /code E404/);
  });
});
