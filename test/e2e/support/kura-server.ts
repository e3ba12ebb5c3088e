import { fileURLToPath } from 'node:url';
import { startKuraProcess } from '../../support/kura-process.js';

/** The checkout's root directory. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A running `kura serve` process with the helpers the npm client tests use. */
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
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts `kura serve --port 0` on a new temporary data directory (see startKuraProcess).
 * `env` adds `KURA_*` settings (e.g. `KURA_DOWNLOAD_FLUSH_MS`).
 */
export async function startKuraServer(env: Record<string, string> = {}): Promise<KuraServer> {
  const server = await startKuraProcess({ env });
  let stopped = false;
  return {
    url: server.url,
    npmRegistry: `${server.url}/npm/`,
    dataDir: server.dataDir,
    kura: (args, input) => server.cliOk([...args], input),
    async getJson(path, token) {
      const response = await fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const text = await response.text();
      try {
        return { status: response.status, body: JSON.parse(text) as unknown };
      } catch {
        return { status: response.status, body: null };
      }
    },
    logs: server.output,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
