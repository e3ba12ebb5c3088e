import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { AllowedHosts } from '../core/webhooks/address-rules.js';
import type { ClaimedDelivery, DeliveryQueue } from '../core/webhooks/delivery-queue.js';
import { guardedPost, type Resolver } from '../drivers/outbound/guarded-post.js';

export interface WebhookSenderOptions {
  allowed: AllowedHosts;
  logger: Logger;
  /** The clock attempts are timed and retried by. */
  now: () => Date;
  /** Deliveries in flight at once on this node (each webhook has at most one). */
  concurrency?: number;
  /** Per request; a redirect gets its own. */
  timeoutMs?: number;
  resolve?: Resolver;
}

/** `sha256=` and the hex HMAC-SHA256 of `body` under `secret`: the `X-Kura-Signature-256` header. */
export function signature(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * The headers of one delivery request. The signature goes out as Kura's `X-Kura-Signature-256`
 * and as GitHub's `X-Hub-Signature-256` (the same value), so receivers written for GitHub's
 * webhooks check it unchanged.
 */
export function deliveryHeaders(delivery: ClaimedDelivery, body: Buffer): Record<string, string> {
  const signed = delivery.hook.secret ? signature(delivery.hook.secret, body) : null;
  return {
    'content-type': 'application/json',
    'user-agent': 'Kura-Hookshot/1',
    'x-kura-event': delivery.event,
    'x-kura-delivery': delivery.guid,
    'x-kura-hook-id': String(delivery.hookId),
    'x-kura-hook-installation-target-type': delivery.hook.targetType,
    ...(delivery.hook.targetId !== null ? { 'x-kura-hook-installation-target-id': String(delivery.hook.targetId) } : {}),
    ...(signed ? { 'x-kura-signature-256': signed, 'x-hub-signature-256': signed } : {}),
  };
}

/**
 * Sends queued webhook deliveries: claims due ones (each node its own, under a lease), POSTs each
 * through the address guard with its signature, records the attempt, and claims more as sends
 * finish. Woken when deliveries are queued on this node and by the `webhooks.deliver` job (for
 * retries and deliveries queued elsewhere). Stopping hands unsent claims back.
 */
export class WebhookSender {
  private readonly inFlight = new Map<number, { controller: AbortController; task: Promise<void> }>();
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly queue: DeliveryQueue,
    private readonly options: WebhookSenderOptions,
  ) {}

  /** Claims due deliveries while there is room and starts sending them; resolves once nothing more was claimed. Never throws. */
  pump(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.again = true;
    this.pumping ??= this.claimWhileRoom();
    return this.pumping;
  }

  private async claimWhileRoom(): Promise<void> {
    const concurrency = this.options.concurrency ?? 8;
    try {
      while (this.again && !this.stopped) {
        this.again = false;
        const room = concurrency - this.inFlight.size;
        if (room <= 0) break;
        const claimed = await this.queue.claim(room);
        if (this.stopped) {
          for (const delivery of claimed) await this.queue.release(delivery);
          break;
        }
        for (const delivery of claimed) this.start(delivery);
        if (claimed.length === room) this.again = true;
      }
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not claim webhook deliveries');
    } finally {
      this.pumping = null;
    }
  }

  private start(delivery: ClaimedDelivery): void {
    const controller = new AbortController();
    const task = this.send(delivery, controller.signal)
      .catch((error: unknown) => this.options.logger.error({ err: error, delivery: delivery.id }, 'could not record a webhook delivery'))
      .finally(() => {
        this.inFlight.delete(delivery.id);
        if (!this.stopped) void this.pump();
      });
    this.inFlight.set(delivery.id, { controller, task });
  }

  private async send(delivery: ClaimedDelivery, signal: AbortSignal): Promise<void> {
    if (!delivery.hook.active) return this.queue.abandon(delivery, 'the webhook is not active');
    const body = Buffer.from(delivery.payload, 'utf8');
    const startedAt = this.options.now().toISOString();
    const outcome = await guardedPost({
      url: delivery.hook.url,
      headers: deliveryHeaders(delivery, body),
      body,
      allowed: this.options.allowed,
      timeoutMs: this.options.timeoutMs ?? 10_000,
      insecureTls: delivery.hook.insecureSsl,
      signal,
      ...(this.options.resolve ? { resolve: this.options.resolve } : {}),
    });
    if (signal.aborted) return this.queue.release(delivery);
    const result = await this.queue.record(delivery, { ...outcome, startedAt });
    if (result !== 'delivered') {
      this.options.logger.info({ delivery: delivery.id, hook: delivery.hookId, status: outcome.statusCode, error: outcome.error, result }, 'webhook delivery not accepted');
    }
  }

  /** Resolves once nothing is in flight and nothing is due (for tests and shutdown). */
  async settled(): Promise<void> {
    for (;;) {
      await this.pump();
      if (this.inFlight.size === 0) return;
      await Promise.all([...this.inFlight.values()].map((f) => f.task));
    }
  }

  /** Stops claiming, aborts sends in flight and hands their deliveries back, due at once for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.pumping;
    for (const { controller } of this.inFlight.values()) controller.abort();
    await Promise.all([...this.inFlight.values()].map((f) => f.task));
  }
}
