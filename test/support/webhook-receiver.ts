import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** One request a receiver got. */
export interface ReceivedDelivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The parsed body (null when it is not JSON). */
  json: Record<string, unknown> | null;
  /** `X-Kura-Event`. */
  event: string;
  /** `X-Kura-Delivery`. */
  guid: string;
  /** Whether `X-Kura-Signature-256` is the HMAC-SHA256 of the body under the receiver's secret (null: no secret to check with). */
  signatureValid: boolean | null;
  /** The status the receiver answered. */
  status: number;
}

/** What to answer a request with. */
export interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
}

/** Checks a webhook signature as a receiver would: the HMAC of the exact body bytes, compared in constant time. */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * An HTTP server on 127.0.0.1 that records every webhook delivery, checks its signature, and
 * answers what `answer` says (200 by default). It can be stopped and started again on the same port.
 */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  /** Decides each answer; replace it to make the receiver fail, redirect or hang. */
  answer: (request: Omit<ReceivedDelivery, 'status'>, index: number) => ReceiverAnswer = () => ({ status: 200, body: 'thanks' });
  private server: Server | null = null;
  private port = 0;
  /** Answers held back by `delayMs`, cancelled on stop. */
  private readonly held = new Set<NodeJS.Timeout>();

  private constructor(private readonly secret: string | null) {}

  /** Starts a receiver on a free port (or `port`). */
  static async start(options: { secret?: string; port?: number } = {}): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(options.secret ?? null);
    await receiver.listen(options.port ?? 0);
    return receiver;
  }

  /** `http://127.0.0.1:PORT` + `path`. */
  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** `127.0.0.1:PORT`, as `KURA_WEBHOOK_ALLOWED_HOSTS` lists it. */
  get hostPort(): string {
    return `127.0.0.1:${this.port}`;
  }

  get listeningPort(): number {
    return this.port;
  }

  /** The deliveries of one event (`package`, `ping`, `alert`). */
  events(event: string): ReceivedDelivery[] {
    return this.received.filter((r) => r.event === event);
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        let json: Record<string, unknown> | null = null;
        try {
          json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        } catch {
          json = null;
        }
        const signature = req.headers['x-kura-signature-256'];
        const request = {
          path: req.url ?? '/',
          headers: req.headers,
          body,
          json,
          event: String(req.headers['x-kura-event'] ?? ''),
          guid: String(req.headers['x-kura-delivery'] ?? ''),
          signatureValid: this.secret === null ? null : verifySignature(this.secret, body, typeof signature === 'string' ? signature : undefined),
        };
        const answer = this.answer(request, this.received.length);
        this.received.push({ ...request, status: answer.status });
        const send = () => {
          res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
          res.end(answer.body ?? '');
        };
        if (answer.delayMs) {
          const timer = setTimeout(() => {
            this.held.delete(timer);
            send();
          }, answer.delayMs);
          this.held.add(timer);
        } else {
          send();
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Waits until `count` deliveries matching `filter` arrived; resolves to them. */
  async waitFor(count: number, filter: (r: ReceivedDelivery) => boolean = () => true, timeoutMs = 20_000): Promise<ReceivedDelivery[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.received.filter(filter);
      if (matching.length >= count) return matching;
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${count} deliveries, got ${matching.length}: ${JSON.stringify(this.received.map((r) => [r.event, r.json?.['action']]))}`);
      await delay(25);
    }
  }

  /** Stops listening (connections refused from then on); the port is kept for {@link restart}. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const timer of this.held) clearTimeout(timer);
    this.held.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    await this.listen(this.port);
  }
}
