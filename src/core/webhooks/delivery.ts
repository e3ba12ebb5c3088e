import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { DbOrTx, WebhookAttemptsTable, WebhookDeliveriesTable } from '../../db/schema.js';

/** One event queued for one webhook: its state, and the outcome of its latest attempt. */
export interface Delivery {
  id: number;
  hookId: number;
  /** X-Kura-Delivery: a UUID (a redelivery keeps the one it repeats). */
  guid: string;
  /** X-Kura-Event: `package`, `alert` or `ping`. */
  event: string;
  action: string | null;
  repoId: number | null;
  redelivery: boolean;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  statusCode: number | null;
  /** `OK`, `Invalid HTTP Response: 500`, or why no response came; null before the first attempt. */
  status: string | null;
  durationMs: number | null;
  createdAt: string;
  finishedAt: string | null;
}

/** One attempt to send a delivery, as the delivery log shows it. */
export interface DeliveryAttempt {
  number: number;
  url: string;
  redirects: string[];
  startedAt: string;
  durationMs: number;
  requestHeaders: Record<string, string>;
  statusCode: number | null;
  responseHeaders: Record<string, string> | null;
  /** The response body's first 64 KiB. */
  responseBody: string | null;
  error: string | null;
}

/** A delivery with its body and every attempt, oldest first. */
export interface DeliveryDetail extends Delivery {
  payload: string;
  attemptLog: DeliveryAttempt[];
}

/** A delivery to queue. */
export interface NewDelivery {
  hookId: number;
  event: string;
  action: string | null;
  repoId: number | null;
  payload: string;
  /** Set for a redelivery: the guid of the delivery it repeats. */
  guid?: string;
}

export function toDelivery(row: Selectable<WebhookDeliveriesTable>): Delivery {
  return {
    id: row.id,
    hookId: row.hook_id,
    guid: row.guid,
    event: row.event,
    action: row.action,
    repoId: row.repo_id,
    redelivery: row.redelivery === 1,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    statusCode: row.status_code,
    status: row.status,
    durationMs: row.duration_ms,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

export function toAttempt(row: Selectable<WebhookAttemptsTable>): DeliveryAttempt {
  return {
    number: row.number,
    url: row.url,
    redirects: JSON.parse(row.redirects) as string[],
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    requestHeaders: JSON.parse(row.request_headers) as Record<string, string>,
    statusCode: row.status_code,
    responseHeaders: row.response_headers === null ? null : JSON.parse(row.response_headers) as Record<string, string>,
    responseBody: row.response_body,
    error: row.error,
  };
}

/** Queues deliveries, due at once; returns how many. */
export async function queueDeliveries(db: DbOrTx, deliveries: readonly NewDelivery[], now: Date): Promise<number> {
  if (deliveries.length === 0) return 0;
  const at = now.toISOString();
  const rows = deliveries.map((d) => ({
    hook_id: d.hookId,
    guid: d.guid ?? randomUUID(),
    event: d.event,
    action: d.action,
    repo_id: d.repoId,
    payload: d.payload,
    redelivery: d.guid ? 1 : 0,
    state: 'pending' as const,
    attempts: 0,
    next_attempt_at: at,
    first_attempt_at: null,
    locked_until: null,
    claim: null,
    status_code: null,
    status: null,
    duration_ms: null,
    created_at: at,
    finished_at: null,
  }));
  for (let i = 0; i < rows.length; i += 100) await db.insertInto('webhook_deliveries').values(rows.slice(i, i + 100)).execute();
  return rows.length;
}

/** Deletes the deliveries (and their attempts) of the webhooks `hookIds`. */
export async function deleteDeliveriesOf(db: DbOrTx, hookIds: readonly number[]): Promise<void> {
  if (hookIds.length === 0) return;
  const deliveries = db.selectFrom('webhook_deliveries').select('id').where('hook_id', 'in', [...hookIds]);
  await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', deliveries).execute();
  await db.deleteFrom('webhook_deliveries').where('hook_id', 'in', [...hookIds]).execute();
}
