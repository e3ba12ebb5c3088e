import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createToken } from './support/accounts.js';
import { npmClients, type NpmClient } from './support/clients.js';
import { startKuraServer, type KuraServer } from './support/kura-server.js';
import { pollUntil } from './support/poll.js';
import { expectSuccess } from './support/process.js';
import { greetingFor, greetingOf, writeConsumer, writeLibrary } from './support/projects.js';
import { Workspace } from './support/workspace.js';

const version = '1.0.0';
const packageOf = (client: NpmClient) => `@alice/pkg-${client.id}`;
const apiPath = (name: string) => `/api/v1/users/alice/packages/npm/${encodeURIComponent(name)}`;

describe('npm, yarn 1, yarn 4 and pnpm against kura serve', { timeout: 600_000 }, () => {
  let server: KuraServer;
  let workspace: Workspace;
  let writeToken: string;
  /** Consumer installs per package name, each with empty caches: a lower bound for download counts. */
  const installs = new Map<string, number>();
  const countInstalls = (names: readonly string[]) => {
    for (const name of names) installs.set(name, (installs.get(name) ?? 0) + 1);
  };

  /** A consumer project configured for `client` with no token, with `names` installed by it. */
  async function installAnonymously(client: NpmClient, names: readonly string[]): Promise<string> {
    const dir = await workspace.dir(`consumer-${client.id}`);
    await writeConsumer(dir);
    await client.configure(dir, { registry: server.npmRegistry, scope: 'alice' });
    expectSuccess(await client.add(workspace, dir, names));
    countInstalls(names);
    return dir;
  }

  before(async () => {
    server = await startKuraServer({ KURA_DOWNLOAD_FLUSH_MS: '50' });
    workspace = await Workspace.create();
    await server.kura(['user', 'create', 'alice']);
    await server.kura(['repo', 'create', 'alice/tools']);
    writeToken = await createToken(server, 'alice', ['read:packages', 'write:packages']);
  });

  after(async () => {
    await server?.stop();
    await workspace?.remove();
  });

  for (const client of npmClients) {
    const name = packageOf(client);

    it(`${client.label} publishes ${name}, linked to the public repository alice/tools`, async () => {
      const dir = await workspace.dir(`publish-${client.id}`);
      await writeLibrary(dir, {
        name,
        version,
        description: `fixture published with ${client.label}`,
        greeting: greetingFor(name, version),
        repository: 'git+https://git.example.com/alice/tools.git',
      });
      await client.configure(dir, { registry: server.npmRegistry, scope: 'alice', token: writeToken });
      expectSuccess(await client.publish(workspace, dir));

      const { status, body } = await server.getJson(apiPath(name));
      assert.equal(status, 200, `anonymous GET of the published package: ${JSON.stringify(body)}`);
      const pkg = body as { visibility: string; repository: { full_name: string } | null };
      assert.equal(pkg.repository?.full_name, 'alice/tools');
      assert.equal(pkg.visibility, 'public');
    });

    it(`${client.label} installs ${name} anonymously and the installed code runs`, async () => {
      const dir = await installAnonymously(client, [name]);
      assert.equal(await greetingOf(dir, name), greetingFor(name, version));
    });
  }

  for (const client of npmClients) {
    it(`${client.label} installs the packages all four clients published, in one project`, async () => {
      const names = npmClients.map(packageOf);
      const dir = await installAnonymously(client, names);
      for (const name of names) assert.equal(await greetingOf(dir, name), greetingFor(name, version), `${name} installed by ${client.label}`);
    });
  }

  it('reports the downloads of every installed package in the REST API', async () => {
    assert.equal(installs.size, npmClients.length, 'every package was installed before this test');
    const counts = new Map<string, number>();
    await pollUntil(async () => {
      for (const [name, expected] of installs) {
        const { status, body } = await server.getJson(`${apiPath(name)}/versions`);
        assert.equal(status, 200, JSON.stringify(body));
        const versions = body as { name: string; download_count: number }[];
        const count = versions.find((v) => v.name === version)?.download_count ?? 0;
        counts.set(name, count);
        if (count < expected) return undefined;
      }
      return true;
    }, {
      what: 'download counts to reach the number of installs',
      timeoutMs: 10_000,
      describe: () => JSON.stringify({ counted: Object.fromEntries(counts), installs: Object.fromEntries(installs) }),
    });
    for (const [name, expected] of installs) assert.ok((counts.get(name) ?? 0) >= expected, `${name}: ${counts.get(name)} < ${expected}`);
  });
});
