import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type KuraConfig } from '../../src/config/config.js';
import type { Core } from '../../src/core/core.js';
import type { Owner } from '../../src/core/owners/owner.js';
import type { FormatContext } from '../../src/formats/contract.js';
import { createKura, createLogger, type Kura } from '../../src/main.js';
import { createTestDatabase } from './test-database.js';

/** An in-process Kura on an in-memory database and blob store, for `inject()` tests. */
export interface TestKura {
  kura: Kura;
  app: FastifyInstance;
  core: Core;
  config: KuraConfig;
  /** Creates a user and returns a token with the given scopes (default: read+write+delete). */
  user(login: string, options?: { scopes?: string[]; admin?: boolean; password?: string }): Promise<{ owner: Owner; token: string }>;
  /** Another token for an existing user. */
  token(login: string, scopes: string[], extra?: { repo?: string; expiresAt?: Date }): Promise<string>;
  inject(options: InjectOptions & { token?: string }): Promise<LightMyRequestResponse>;
  /** The context format `id` runs with (its own tables, settings, services). */
  formatContext<Tables>(id: string): FormatContext<Tables>;
  close(): Promise<void>;
}

/** How many blobs the store of `k` holds (bad-input tests check that nothing was stored). */
export async function blobCount(k: Pick<TestKura, 'core'>): Promise<number> {
  let n = 0;
  for await (const _blob of k.core.deps.blobs.list()) n++;
  return n;
}

/** A clock tests can move forward. */
export class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * Starts a Kura on an in-memory SQLite database, or on a fresh PostgreSQL database when the suite
 * runs on PostgreSQL (see test-database.ts), unless `env` names a database itself.
 */
export async function startTestKura(env: Record<string, string> = {}, clock: TestClock = new TestClock()): Promise<TestKura> {
  const database = env['KURA_DATABASE'] || env['KURA_DATABASE_URL'] ? null : await createTestDatabase();
  const config = loadConfig({}, {
    KURA_DATA_DIR: '/nonexistent-kura-test-dir',
    KURA_DATABASE: ':memory:',
    ...(database ? { KURA_DATABASE_URL: database.url, KURA_DATABASE_POOL_SIZE: '4' } : {}),
    KURA_BLOB_DRIVER: 'memory',
    KURA_LOG_LEVEL: 'silent',
    ...env,
  });
  const kura = await createKura(config, { logger: createLogger('silent'), now: clock.now });
  const { core, app } = kura;
  const token = async (login: string, scopes: string[], extra: { repo?: string; expiresAt?: Date } = {}) => {
    const owner = await core.owners.requireUser(login);
    const repo = extra.repo ? await core.repos.require(extra.repo) : null;
    return (await core.tokens.create({ userId: owner.id, scopes, repoId: repo?.id ?? null, expiresAt: extra.expiresAt ?? null })).token;
  };
  return {
    kura,
    app,
    core,
    config,
    async user(login, options = {}) {
      const owner = await core.owners.createUser({ login, admin: options.admin, password: options.password });
      return { owner, token: await token(login, options.scopes ?? ['read:packages', 'write:packages', 'delete:packages']) };
    },
    token,
    inject(options) {
      const { token: bearer, headers, ...rest } = options;
      return app.inject({ ...rest, headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers } });
    },
    formatContext<Tables>(id: string) {
      const ctx = kura.formatContexts.get(id);
      if (!ctx) throw new Error(`no format ${id}`);
      return ctx as FormatContext<Tables>;
    },
    async close() {
      await kura.close();
      await database?.drop();
    },
  };
}
