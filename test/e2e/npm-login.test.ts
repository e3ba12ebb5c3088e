import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKuraServer, type KuraServer } from './support/kura-server.js';
import { Workspace } from './support/workspace.js';

/**
 * Runs `npm login --auth-type=legacy` in a pseudo-terminal (util-linux `script`), answering the
 * Username and Password prompts as they appear. Resolves with everything npm printed.
 */
function npmLogin(registry: string, username: string, password: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const command = `npm login --auth-type=legacy --registry ${registry}`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let answered = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (answered === 0 && output.includes('Username:')) {
        answered = 1;
        child.stdin.write(`${username}\r`);
      } else if (answered === 1 && output.includes('Password:')) {
        answered = 2;
        child.stdin.write(`${password}\r`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('npm login (legacy flow) with the real npm client', () => {
  let server: KuraServer;
  let workspace: Workspace;

  before(async () => {
    server = await startKuraServer();
    workspace = await Workspace.create();
    await server.kura(['user', 'create', 'carol', '--password-stdin'], 'correct horse battery\n');
  });
  after(async () => {
    await server?.stop();
    await workspace?.remove();
  });

  it('stores a working token in the user config, and refuses a wrong password', async () => {
    const { env, home } = await workspace.isolatedEnv();
    const cwd = await workspace.dir('login');
    const login = await npmLogin(server.npmRegistry, 'carol', 'correct horse battery', env, cwd);
    assert.equal(login.code, 0, login.output);
    assert.match(login.output, /Logged in on/);
    const npmrc = await readFile(join(home, '.npmrc'), 'utf8');
    const token = /_authToken=(kura_\w+)/.exec(npmrc)?.[1];
    assert.ok(token, npmrc);
    const whoami = await fetch(`${server.url}/npm/-/whoami`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(await whoami.json(), { username: 'carol' });

    const other = await workspace.isolatedEnv();
    const wrong = await npmLogin(server.npmRegistry, 'carol', 'not the password', other.env, cwd);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.output, /E401|incorrect username or password/);
  });
});
