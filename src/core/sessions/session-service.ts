import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { WebSessionsTable } from '../../db/schema.js';
import { recordAudit } from '../audit/audit-log.js';
import type { CoreDeps } from '../context.js';
import { KuraError } from '../errors/catalogue.js';
import type { OwnerService } from '../owners/owner-service.js';
import type { Owner } from '../owners/owner.js';
import type { SignInThrottle } from './sign-in-throttle.js';

/** How long a browser session lives. */
export interface SessionLifetime {
  /** A session unused for this long is over. */
  idleMinutes: number;
  /** A session older than this is over, however busy. */
  maxDays: number;
}

export const defaultSessionLifetime: SessionLifetime = { idleMinutes: 24 * 60, maxDays: 30 };

export interface WebSession {
  id: number;
  userId: number;
  userAgent: string | null;
  address: string | null;
  createdAt: string;
  lastSeenAt: string;
}

/** A live session and its user; `csrfBinding` is what the session's form tokens are bound to. */
export interface SessionIdentity {
  user: Owner;
  session: WebSession;
  csrfBinding: string;
}

/** Where a sign-in comes from, kept with the session so its owner can recognise it. */
export interface ClientFacts {
  address: string | null;
  userAgent: string | null;
}

/** Last-seen times are written at most this often per session. */
const lastSeenResolutionMs = 60_000;

const hashOf = (cookie: string) => createHash('sha256').update(cookie).digest('hex');

/**
 * Browser sessions: a random cookie value, kept only as a hash, resolved on each request of
 * the web UI. A session ends when its user signs out or revokes it (refused at once on every
 * node, since every request looks it up), when unused for the idle time, or at its maximum age.
 */
export class SessionService {
  private readonly lastSeenWritten = new Map<number, number>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly owners: OwnerService,
    private readonly throttle: SignInThrottle,
    private readonly lifetime: SessionLifetime = defaultSessionLifetime,
  ) {}

  /**
   * Checks the password (after the throttle) and starts a session.
   * @throws KuraError UNAUTHENTICATED (same message for unknown users and wrong passwords), TOO_MANY_REQUESTS
   */
  async signIn(login: string, password: string, client: ClientFacts): Promise<{ cookie: string; identity: SessionIdentity }> {
    await this.throttle.check(login, client.address);
    const user = login && password ? await this.owners.checkPassword(login, password) : null;
    if (!user) {
      await this.throttle.recordFailure(login, client.address);
      throw new KuraError('UNAUTHENTICATED', 'Incorrect username or password.');
    }
    await this.throttle.recordSuccess(login);
    const cookie = randomBytes(32).toString('base64url');
    const now = this.deps.now();
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('web_sessions').values({
        session_hash: hashOf(cookie),
        user_id: user.id,
        user_agent: client.userAgent?.slice(0, 300) ?? null,
        address: client.address,
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        ended_at: null,
      }).returningAll().executeTakeFirstOrThrow();
      await recordAudit(trx, { actorId: user.id, action: 'session.start', target: `session:${inserted.id}`, ownerId: user.id, meta: { address: client.address } }, now);
      return inserted;
    });
    return { cookie, identity: { user, session: toSession(row), csrfBinding: `session:${row.session_hash}` } };
  }

  /** The live session a cookie names, or null when it is unknown, ended, idle too long or too old. */
  async resume(cookie: string): Promise<SessionIdentity | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(cookie)) return null;
    const row = await this.deps.db.selectFrom('web_sessions').selectAll().where('session_hash', '=', hashOf(cookie)).executeTakeFirst();
    if (!row || row.ended_at) return null;
    const now = this.deps.now();
    if (!this.isLive(row, now)) return null;
    const user = await this.owners.findById(row.user_id);
    if (!user || user.suspendedAt) return null;
    await this.noteUse(row.id, now);
    return { user, session: toSession(row), csrfBinding: `session:${row.session_hash}` };
  }

  /** Signs the session a cookie names out; unknown or ended sessions are left as they are. */
  async end(cookie: string): Promise<void> {
    const row = await this.deps.db.selectFrom('web_sessions').select(['id', 'user_id', 'ended_at']).where('session_hash', '=', hashOf(cookie)).executeTakeFirst();
    if (row && !row.ended_at) await this.close(row.id, row.user_id, 'session.end');
  }

  /** The user's live sessions, most recently used first. */
  async list(userId: number): Promise<WebSession[]> {
    const rows = await this.deps.db.selectFrom('web_sessions').selectAll()
      .where('user_id', '=', userId).where('ended_at', 'is', null).orderBy('last_seen_at', 'desc').execute();
    const now = this.deps.now();
    return rows.filter((r) => this.isLive(r, now)).map(toSession);
  }

  /** Ends one of the user's sessions. @throws KuraError NOT_FOUND (also for another user's session) */
  async revoke(userId: number, sessionId: number): Promise<void> {
    const row = await this.deps.db.selectFrom('web_sessions').select(['id', 'ended_at'])
      .where('id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst();
    if (!row) throw new KuraError('NOT_FOUND', `no session ${sessionId}`);
    if (!row.ended_at) await this.close(row.id, userId, 'session.revoke');
  }

  private async close(id: number, actorId: number, action: string): Promise<void> {
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('web_sessions').set({ ended_at: now.toISOString() }).where('id', '=', id).execute();
      await recordAudit(trx, { actorId, action, target: `session:${id}`, ownerId: actorId }, now);
    });
  }

  private isLive(row: Pick<Selectable<WebSessionsTable>, 'created_at' | 'last_seen_at'>, now: Date): boolean {
    return now.getTime() - new Date(row.last_seen_at).getTime() < this.lifetime.idleMinutes * 60_000
      && now.getTime() - new Date(row.created_at).getTime() < this.lifetime.maxDays * 86_400_000;
  }

  /** Records use at most once a minute per session (idle expiry counts from it). */
  private async noteUse(id: number, now: Date): Promise<void> {
    const last = this.lastSeenWritten.get(id) ?? 0;
    if (now.getTime() - last < lastSeenResolutionMs) return;
    this.lastSeenWritten.set(id, now.getTime());
    await this.deps.db.updateTable('web_sessions').set({ last_seen_at: now.toISOString() }).where('id', '=', id).execute();
  }
}

function toSession(row: Selectable<WebSessionsTable>): WebSession {
  return { id: row.id, userId: row.user_id, userAgent: row.user_agent, address: row.address, createdAt: row.created_at, lastSeenAt: row.last_seen_at };
}
