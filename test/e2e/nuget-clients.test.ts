import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createToken } from './support/accounts.js';
import { repoRoot, startKuraServer, type KuraServer } from './support/kura-server.js';
import { describeResult, expectFailure, expectSuccess, run, type RunResult } from './support/process.js';
import { Workspace } from './support/workspace.js';

const nugetExe = join(repoRoot, 'node_modules', 'nuget-exe', 'nuget-5.8.0.exe');
/** What NuGet.exe prints when a command did its work. */
const nugetSucceeded = /Your package was pushed|was deleted successfully|Successfully installed|Added package|Successfully created package|All packages listed in .* are already installed/;

describe('NuGet.exe 5.8 (Mono) against kura serve', { timeout: 900_000 }, () => {
  let server: KuraServer;
  let workspace: Workspace;
  const tokens = { alice: '', aliceRead: '' };
  const feed = (owner = 'alice') => `${server.url}/nuget/${owner}/index.json`;

  /**
   * Runs NuGet.exe with a fresh HOME (its machine cache would hide downloads). Mono sometimes
   * aborts in its own thread shutdown after NuGet.exe has finished its work (a runtime
   * assertion, SIGABRT): such a run counts as NuGet reported it when its output says the
   * command succeeded, and is run once more when it does not.
   */
  async function nuget(args: readonly string[], cwd: string, attempt = 1): Promise<RunResult> {
    const { env } = await workspace.isolatedEnv();
    const result = await run('mono', [nugetExe, ...args, '-NonInteractive'], { cwd, env, timeoutMs: 180_000 });
    const crashedInMono = result.code === null && !result.timedOut && /Native Crash Reporting|mono-threads\.c/.test(result.stdout + result.stderr);
    if (!crashedInMono) return result;
    if (nugetSucceeded.test(result.stdout)) return { ...result, code: 0 };
    return attempt === 1 ? nuget(args, cwd, 2) : result;
  }

  /** Writes a nuspec with one content file and packs it; resolves to the .nupkg path. */
  async function pack(id: string, version: string, extra: { dependency?: string; repository?: string } = {}): Promise<string> {
    const dir = await workspace.dir(`pack-${id}`);
    await writeFile(join(dir, `${id}.txt`), `${id} ${version}\n`);
    await writeFile(join(dir, `${id}.nuspec`), `<?xml version="1.0"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>${id}</id>
    <version>${version}</version>
    <authors>Alice</authors>
    <description>The ${id} package</description>
    ${extra.repository ? `<repository type="git" url="${extra.repository}" />` : ''}
    ${extra.dependency ? `<dependencies><dependency id="${extra.dependency}" version="1.0.0" /></dependencies>` : ''}
  </metadata>
  <files><file src="${id}.txt" target="content" /></files>
</package>
`);
    expectSuccess(await nuget(['pack', `${id}.nuspec`, '-OutputDirectory', dir], dir));
    return join(dir, `${id}.${version}.nupkg`);
  }

  const push = async (nupkg: string, token: string, source = feed()) => nuget(['push', nupkg, '-Source', source, '-ApiKey', token], workspace.root);

  /** A NuGet.config naming the feed, with the token as the password when given. */
  async function config(dir: string, token?: string): Promise<string> {
    const path = join(dir, 'NuGet.config');
    await writeFile(path, `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources><clear /><add key="kura" value="${feed()}" protocolVersion="3" /></packageSources>
  ${token ? `<packageSourceCredentials><kura><add key="Username" value="alice" /><add key="ClearTextPassword" value="${token}" /></kura></packageSourceCredentials>` : ''}
</configuration>
`);
    return path;
  }

  before(async () => {
    server = await startKuraServer();
    workspace = await Workspace.create();
    await server.kura(['user', 'create', 'alice']);
    await server.kura(['repo', 'create', 'alice/tools']);
    await server.kura(['repo', 'create', 'alice/secret', '--private']);
    tokens.alice = await createToken(server, 'alice', ['read:packages', 'write:packages', 'delete:packages'], 'nuget');
    tokens.aliceRead = await createToken(server, 'alice', ['read:packages'], 'nuget-read');
  });

  after(async () => {
    await server?.stop();
    await workspace?.remove();
  });

  it('pushes two packages, one depending on the other, and refuses a second push of a version', async () => {
    const repository = `${server.url}/alice/tools`;
    const gadget = await pack('Acme.Gadget', '1.0.0', { repository });
    const widget = await pack('Acme.Widget', '1.0.0', { repository, dependency: 'Acme.Gadget' });
    for (const nupkg of [gadget, widget]) assert.match(expectSuccess(await push(nupkg, tokens.alice)).stdout, /Your package was pushed/);
    const again = await push(widget, tokens.alice);
    expectFailure(again);
    assert.match(`${again.stdout}${again.stderr}`, /409|already contains/, describeResult(again));
  });

  it('installs a public package and its dependency anonymously', async () => {
    const dir = await workspace.dir('install');
    expectSuccess(await nuget(['install', 'Acme.Widget', '-Version', '1.0.0', '-Source', feed(), '-OutputDirectory', join(dir, 'packages')], dir));
    assert.ok(existsSync(join(dir, 'packages', 'Acme.Widget.1.0.0', 'content', 'Acme.Widget.txt')));
    assert.ok(existsSync(join(dir, 'packages', 'Acme.Gadget.1.0.0', 'content', 'Acme.Gadget.txt')), 'the dependency came along');
  });

  it('restores a packages.config', async () => {
    const dir = await workspace.dir('restore');
    await writeFile(join(dir, 'packages.config'), '<?xml version="1.0" encoding="utf-8"?>\n<packages>\n  <package id="Acme.Gadget" version="1.0.0" />\n</packages>\n');
    expectSuccess(await nuget(['restore', 'packages.config', '-PackagesDirectory', join(dir, 'packages'), '-Source', feed()], dir));
    assert.ok(existsSync(join(dir, 'packages', 'Acme.Gadget.1.0.0', 'Acme.Gadget.1.0.0.nupkg')));
  });

  it('installs a private package with credentials in NuGet.config and is refused without them', async () => {
    const secret = await pack('Acme.Secret', '0.1.0', { repository: `${server.url}/alice/secret` });
    expectSuccess(await push(secret, tokens.alice));
    const anonymous = await workspace.dir('private-anonymous');
    expectFailure(await nuget(['install', 'Acme.Secret', '-Version', '0.1.0', '-ConfigFile', await config(anonymous), '-Source', 'kura', '-OutputDirectory', join(anonymous, 'packages')], anonymous));
    const dir = await workspace.dir('private');
    expectSuccess(await nuget(['install', 'Acme.Secret', '-Version', '0.1.0', '-ConfigFile', await config(dir, tokens.alice), '-Source', 'kura', '-OutputDirectory', join(dir, 'packages')], dir));
    assert.ok(existsSync(join(dir, 'packages', 'Acme.Secret.0.1.0', 'content', 'Acme.Secret.txt')));
  });

  it('refuses a read-only token’s push; delete unlists a version so it no longer installs', async () => {
    const next = await pack('Acme.Gadget', '1.1.0');
    const refused = await push(next, tokens.aliceRead);
    expectFailure(refused);
    assert.match(`${refused.stdout}${refused.stderr}`, /403|write:packages/, describeResult(refused));
    expectSuccess(await push(next, tokens.alice));
    expectSuccess(await nuget(['delete', 'Acme.Gadget', '1.1.0', '-Source', feed(), '-ApiKey', tokens.alice], workspace.root));
    const dir = await workspace.dir('deleted');
    expectFailure(await nuget(['install', 'Acme.Gadget', '-Version', '1.1.0', '-Source', feed(), '-OutputDirectory', join(dir, 'packages')], dir));
  });
});
