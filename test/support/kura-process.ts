import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestBucket } from './test-bucket.js';
import { createTestDatabase } from './test-database.js';

/**
 * `KURA_TEST_BLOBS=s3` runs every server on a bucket of its own on the suite's S3 server instead of
 * the data directory; `s3-redirect` also answers downloads with presigned redirects.
 */
const testBlobs = process.env['KURA_TEST_BLOBS'] === 's3' || process.env['KURA_TEST_BLOBS'] === 's3-redirect' ? process.env['KURA_TEST_BLOBS'] : null;

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'bin', 'kura.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A real `kura serve` process on a free port with its own data directory (and its own PostgreSQL database and bucket when the suite runs on them). */
export interface KuraProcess {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  dataDir: string;
  /** Runs a `kura` command against the same data directory (works while the server runs). */
  cli(args: string[], stdin?: string): Promise<CliResult>;
  /** Like {@link cli} but fails unless the exit code is 0; returns trimmed stdout. */
  cliOk(args: string[], stdin?: string): Promise<string>;
  /** Everything the server printed so far. */
  output(): string;
  /**
   * Stops the server gracefully and starts it again on the same port, data directory, database
   * and bucket; `whileStopped` runs in between.
   */
  restart(whileStopped?: () => Promise<void>): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would; resolves once it is gone. */
  kill(): Promise<void>;
  /** Stops the server and removes the data directory. */
  stop(): Promise<void>;
}

/** The environment minus `KURA_*` settings, so a developer's own configuration never leaks into a test server. */
function withoutKuraSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (!key.startsWith('KURA_')) clean[key] = value;
  return clean;
}

/** Runs the built `kura` binary (npm run build first; scripts/run-tests.js does). */
export function runKura(args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Starts `kura serve --port 0` and resolves once it prints its address (no fixed sleeps).
 * @throws Error with the server's output when it exits or stays silent for `startTimeoutMs`.
 */
export async function startKuraProcess(options: { env?: NodeJS.ProcessEnv; args?: string[]; startTimeoutMs?: number } = {}): Promise<KuraProcess> {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (scripts/run-tests.js does)');
  const dataDir = await mkdtemp(join(tmpdir(), 'kura-e2e-'));
  const database = options.env?.['KURA_DATABASE_URL'] ? null : await createTestDatabase();
  const bucket = testBlobs && !options.env?.['KURA_BLOB_DRIVER'] ? await createTestBucket() : null;
  const env = {
    ...withoutKuraSettings(process.env), KURA_LOG_LEVEL: 'warn',
    ...(database ? { KURA_DATABASE_URL: database.url } : {}),
    ...(bucket ? { ...bucket.env, KURA_S3_REDIRECT: String(testBlobs === 's3-redirect') } : {}),
    ...options.env,
  };
  let output = '';
  /** Starts `kura serve` on `port` and resolves once it prints its address. */
  const spawnServer = async (port: string): Promise<{ child: ChildProcess; url: string }> => {
    const child: ChildProcess = spawn(process.execPath, [bin, 'serve', '--data', dataDir, '--port', port, ...(options.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const from = output.length;
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`kura serve did not start:\n${output}`));
      }, options.startTimeoutMs ?? 60_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        const match = /listening on (http:\/\/[^\s]+)/.exec(output.slice(from));
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!.replace('localhost', '127.0.0.1'));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`kura serve exited with ${code}:\n${output}`));
      });
    });
    const collect = (d: Buffer) => (output = (output + d.toString()).slice(-64 * 1024));
    child.stdout!.removeAllListeners('data');
    child.stderr!.removeAllListeners('data');
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    return { child, url };
  };
  const started = await spawnServer('0');
  let child = started.child;
  const url = started.url;
  /** Stops the server (SIGTERM, SIGKILL after 5 s), keeping its data. */
  const terminate = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const cli = (args: string[], stdin?: string) => runKura([...args, '--data', dataDir], { env, stdin });
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    async restart(whileStopped) {
      await terminate();
      await whileStopped?.();
      ({ child } = await spawnServer(new URL(url).port));
    },
    cli,
    output: () => output,
    async cliOk(args, stdin) {
      const result = await cli(args, stdin);
      if (result.code !== 0) throw new Error(`kura ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
      return result.stdout.trim();
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      await terminate();
      await rm(dataDir, { recursive: true, force: true });
      await database?.drop();
      await bucket?.drop();
    },
  };
}
