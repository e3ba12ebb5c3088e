import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expectSuccess, run } from './process.js';

/** The checkout's root directory. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const kuraBin = join(repoRoot, 'bin', 'kura.js');
const maxLogChars = 64 * 1024;
const startTimeoutMs = 20_000;
const stopTimeoutMs = 10_000;

/** A running `kura serve` process on a throwaway data directory. */
export interface KuraServer {
  /** `http://127.0.0.1:PORT`, as the server printed it. */
  url: string;
  /** The npm registry URL, with its trailing slash (`URL/npm/`). */
  npmRegistry: string;
  dataDir: string;
  /** Runs `kura ARGS --data DIR` against this server's data; resolves to its trimmed stdout. @throws Error on a non-zero exit. */
  kura(args: readonly string[], input?: string): Promise<string>;
  /** GETs an API path (`/api/v1/…`), optionally with a token. Resolves to status and parsed JSON (null when the body is not JSON). */
  getJson(path: string, token?: string): Promise<{ status: number; body: unknown }>;
  /** The last lines the server printed, for failure messages. */
  logs(): string;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and deletes its data directory. Idempotent. */
  stop(): Promise<void>;
}

/** The environment for kura processes: the test's own, minus any `KURA_*` settings, plus `extra`. */
function kuraEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('KURA_')) env[key] = value;
  return { ...env, ...extra };
}

/** Resolves with the server URL once `kura: listening on URL` appears; rejects if the process exits or the deadline passes. */
function waitForListening(child: ChildProcessByStdio<null, Readable, Readable>, logs: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => finish(new Error(`kura serve did not report listening within ${startTimeoutMs} ms\n${logs()}`)), startTimeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const match = /kura: listening on (http:\/\/\S+)/.exec(seen);
      if (match) finish(null, match[1]);
    };
    const onExit = (code: number | null) => finish(new Error(`kura serve exited with ${code} before listening\n${logs()}`));
    function finish(error: Error | null, url?: string) {
      clearTimeout(timer);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(url!);
    }
    child.stderr.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Starts `kura serve --port 0` on a new temporary data directory and resolves once it prints
 * its "listening on" line. `env` adds `KURA_*` settings (e.g. `KURA_DOWNLOAD_FLUSH_MS`).
 * @throws Error when the project is not built or the server fails to start.
 */
export async function startKuraServer(env: Record<string, string> = {}): Promise<KuraServer> {
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (scripts/run-tests.js does)');
  const dataDir = await mkdtemp(join(tmpdir(), 'kura-e2e-data-'));
  const serverEnv = kuraEnv({ KURA_LOG_LEVEL: 'warn', ...env });
  const child = spawn(process.execPath, [kuraBin, 'serve', '--data', dataDir, '--port', '0', '--host', '127.0.0.1'], {
    cwd: dataDir,
    env: serverEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-maxLogChars);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const logs = () => log;

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  let url: string;
  try {
    url = await waitForListening(child, logs);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    npmRegistry: `${url}/npm/`,
    dataDir,
    async kura(args, input) {
      const result = await run(process.execPath, [kuraBin, ...args, '--data', dataDir], { cwd: dataDir, env: kuraEnv({}), input });
      return expectSuccess(result).stdout.trim();
    },
    async getJson(path, token) {
      const response = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const text = await response.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      return { status: response.status, body };
    },
    logs,
    stop,
  };
}
