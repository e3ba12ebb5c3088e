import { randomBytes } from 'node:crypto';
import type { CoreDeps } from '../context.js';

/**
 * Server-wide secrets (e.g. the key that signs registry tokens), created on first use and kept
 * in the database so every server process shares them and they survive restarts.
 */
export class ServerSecrets {
  private readonly loaded = new Map<string, Promise<Buffer>>();

  constructor(private readonly deps: CoreDeps) {}

  /** The 32-byte secret named `key`; concurrent first uses, also across processes, agree on one. */
  secret(key: string): Promise<Buffer> {
    let secret = this.loaded.get(key);
    if (!secret) {
      secret = this.load(key);
      this.loaded.set(key, secret);
      secret.catch(() => this.loaded.delete(key));
    }
    return secret;
  }

  private async load(key: string): Promise<Buffer> {
    const db = this.deps.db;
    await db.insertInto('settings')
      .values({ key, value: randomBytes(32).toString('base64'), created_at: this.deps.now().toISOString() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
    return Buffer.from(row.value, 'base64');
  }
}
