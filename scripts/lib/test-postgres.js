// A throwaway PostgreSQL server for the test suite: a new cluster under a temporary directory,
// listening on a free loopback port, trusted local logins, durability off (its data is discarded).
// Needs the server binaries from Debian's postgresql package (scripts/install-clients/postgres.sh).
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { stopProcess } from './stop-process.js';

/** The newest installed server's bin directory, or null. */
export function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(base, versions[0], 'bin') : null;
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function asServerUser(command, args) {
  return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/**
 * Starts the server and resolves once it accepts connections.
 * @returns {{ url: string, stop: () => Promise<void> }} `url` is the `postgres` database of a superuser `kura`.
 */
export async function startTestPostgres() {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql: run scripts/install-clients.sh');
  const root = mkdtempSync(join(tmpdir(), 'kura-postgres-'));
  if (userInfo().uid === 0) chownSync(root, Number(spawnSync('id', ['-u', 'postgres']).stdout), Number(spawnSync('id', ['-g', 'postgres']).stdout));
  const data = join(root, 'data');
  const [initCommand, initArgs] = asServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'kura', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync']);
  const init = spawnSync(initCommand, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const [command, args] = asServerUser(join(bin, 'postgres'), [
    '-D', data, '-p', String(port), '-k', root, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=500', '-c', 'shared_buffers=128MB', '-c', 'log_min_messages=warning',
  ]);
  const server = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => (log = (log + d.toString()).slice(-8192)));
  const url = `postgres://kura@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited with ${server.exitCode}: ${log}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections: ${error.message}\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    async stop() {
      // As root the server runs under runuser, which does not pass signals on: pg_ctl stops it.
      const [stopCommand, stopArgs] = asServerUser(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '10']);
      if (server.exitCode === null) spawnSync(stopCommand, stopArgs, { stdio: 'ignore', timeout: 15_000 });
      await stopProcess(server, 'SIGTERM', 2000);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
