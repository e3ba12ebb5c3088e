import { randomUUID } from 'node:crypto';
import type { CoreDeps } from '../context.js';
import type { DeliveryAttempt } from './delivery.js';

/** When failed deliveries are tried again. */
export interface RetryPolicy {
  /** The wait after the first failed attempt; it doubles after each further one. */
  baseMs: number;
  /** The longest wait between two attempts. */
  capMs: number;
  /** How long after its first attempt a delivery is given up (failed). */
  windowMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { baseMs: 30_000, capMs: 3_600_000, windowMs: 24 * 3_600_000 };

/** A delivery a node claimed to send: its body and where, as whom, to send it. */
export interface ClaimedDelivery {
  id: number;
  /** The lease this node holds on it; recording the outcome needs it. */
  claim: string;
  hookId: number;
  guid: string;
  event: string;
  payload: string;
  attempts: number;
  firstAttemptAt: string | null;
  hook: {
    url: string;
    secret: string | null;
    insecureSsl: boolean;
    active: boolean;
    /** GitHub's installation target: `repository`, `organization` or `site`, and its id. */
    targetType: string;
    targetId: number | null;
  };
}

/** What one attempt did, as the sender reports it; `refused` targets are not tried again. */
export type AttemptOutcome = Omit<DeliveryAttempt, 'number'> & { refused?: boolean };

/**
 * The database side of sending deliveries: claiming due ones under a lease (so one node sends
 * each, however many run), recording each attempt with its outcome, retrying with exponential
 * backoff until the retry window closes, and pruning old delivery logs.
 */
export class DeliveryQueue {
  constructor(
    private readonly deps: CoreDeps,
    private readonly retry: RetryPolicy = defaultRetryPolicy,
    /** How long a claim holds before another node may take the delivery (a node that died mid-send). */
    private readonly leaseMs = 120_000,
  ) {}

  /**
   * Claims up to `limit` due deliveries, the oldest due one of each webhook that has no delivery
   * in flight, so each webhook gets its deliveries one at a time in the order they were queued.
   * Two nodes racing for one delivery: the conditional update gives it to one.
   */
  async claim(limit: number): Promise<ClaimedDelivery[]> {
    if (limit <= 0) return [];
    const at = this.deps.now();
    const now = at.toISOString();
    const until = new Date(at.getTime() + this.leaseMs).toISOString();
    const claim = randomUUID();
    const db = this.deps.db;
    const due = db.selectFrom('webhook_deliveries as d')
      .select((eb) => eb.fn.min<number>('d.id').as('id'))
      .where('d.state', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('webhook_deliveries as l').select('l.id')
        .whereRef('l.hook_id', '=', 'd.hook_id')
        .where('l.state', '=', 'pending')
        .where('l.locked_until', '>', now))))
      .groupBy('d.hook_id')
      .orderBy((eb) => eb.fn.min('d.id'))
      .limit(limit);
    const result = await db.updateTable('webhook_deliveries')
      .set({ locked_until: until, claim })
      .where('id', 'in', due)
      .where('state', '=', 'pending')
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return [];
    const rows = await db.selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as h', 'h.id', 'd.hook_id')
      .select(['d.id', 'd.hook_id', 'd.guid', 'd.event', 'd.payload', 'd.attempts', 'd.first_attempt_at',
        'h.url', 'h.secret', 'h.insecure_ssl', 'h.active', 'h.scope', 'h.repo_id', 'h.owner_id'])
      .where('d.claim', '=', claim)
      .orderBy('d.id')
      .execute();
    return rows.map((r) => ({
      id: r.id, claim, hookId: r.hook_id, guid: r.guid, event: r.event, payload: r.payload, attempts: r.attempts, firstAttemptAt: r.first_attempt_at,
      hook: {
        url: r.url, secret: r.secret, insecureSsl: r.insecure_ssl === 1, active: r.active === 1,
        targetType: r.scope, targetId: r.scope === 'repository' ? r.repo_id : r.scope === 'organization' ? r.owner_id : null,
      },
    }));
  }

  /**
   * Records one attempt and what follows from it, in one transaction: delivered on a 2xx;
   * otherwise due again after the backoff, or failed once that would fall past the retry window
   * (or at once when the target was refused).
   * Nothing is written when the claim was lost (the lease ran out and another node took it).
   */
  async record(delivery: ClaimedDelivery, outcome: AttemptOutcome): Promise<'delivered' | 'retrying' | 'failed' | 'lost'> {
    const at = this.deps.now();
    const now = at.toISOString();
    const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const attempts = delivery.attempts + 1;
    const first = delivery.firstAttemptAt ?? outcome.startedAt;
    const wait = Math.min(this.retry.capMs, this.retry.baseMs * 2 ** Math.min(attempts - 1, 40));
    const next = new Date(at.getTime() + wait);
    const state = ok ? 'delivered' : outcome.refused || next.getTime() > new Date(first).getTime() + this.retry.windowMs ? 'failed' : 'pending';
    const status = ok ? 'OK' : outcome.statusCode !== null ? `Invalid HTTP Response: ${outcome.statusCode}` : outcome.error ?? 'no response';
    return this.deps.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('webhook_deliveries').set({
        state,
        attempts,
        first_attempt_at: first,
        next_attempt_at: state === 'pending' ? next.toISOString() : null,
        locked_until: null,
        claim: null,
        status_code: outcome.statusCode,
        status,
        duration_ms: outcome.durationMs,
        finished_at: state === 'pending' ? null : now,
      }).where('id', '=', delivery.id).where('claim', '=', delivery.claim).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return 'lost' as const;
      await trx.insertInto('webhook_attempts').values({
        delivery_id: delivery.id,
        number: attempts,
        url: outcome.url,
        redirects: JSON.stringify(outcome.redirects),
        started_at: outcome.startedAt,
        duration_ms: outcome.durationMs,
        request_headers: JSON.stringify(outcome.requestHeaders),
        status_code: outcome.statusCode,
        response_headers: outcome.responseHeaders === null ? null : JSON.stringify(outcome.responseHeaders),
        response_body: outcome.responseBody,
        error: outcome.error,
      }).execute();
      await trx.updateTable('webhooks').set({ last_status_code: outcome.statusCode, last_status: ok ? 'active' : 'failed', last_message: status })
        .where('id', '=', delivery.hookId).execute();
      return state === 'pending' ? 'retrying' as const : state;
    });
  }

  /** Gives up a delivery without sending it (its webhook was deactivated after it was queued). */
  async abandon(delivery: ClaimedDelivery, reason: string): Promise<void> {
    const now = this.deps.now().toISOString();
    await this.deps.db.updateTable('webhook_deliveries')
      .set({ state: 'failed', status: reason, next_attempt_at: null, locked_until: null, claim: null, finished_at: now })
      .where('id', '=', delivery.id).where('claim', '=', delivery.claim).execute();
  }

  /** Hands a claimed delivery back unsent (the server is stopping), due at once for the next node. */
  async release(delivery: ClaimedDelivery): Promise<void> {
    await this.deps.db.updateTable('webhook_deliveries').set({ locked_until: null, claim: null })
      .where('id', '=', delivery.id).where('claim', '=', delivery.claim).execute();
  }

  /** Deletes delivered and failed deliveries (with their attempts) finished more than `days` ago; returns how many. */
  async prune(days: number): Promise<number> {
    const cutoff = new Date(this.deps.now().getTime() - days * 86_400_000).toISOString();
    return this.deps.db.transaction().execute(async (trx) => {
      const old = trx.selectFrom('webhook_deliveries').select('id').where('state', '!=', 'pending').where('finished_at', '<', cutoff);
      await trx.deleteFrom('webhook_attempts').where('delivery_id', 'in', old).execute();
      const result = await trx.deleteFrom('webhook_deliveries').where('state', '!=', 'pending').where('finished_at', '<', cutoff).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }
}
