import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { symbols, type Logger } from 'pino';

const tokenInText = /kura_[0-9A-Za-z]{36}/g;
/** Query parameters whose values are credentials, whatever they look like (`token`, `access_token`, `password`, `api_key`, `client_secret`…). */
const secretParameter = /token|passw|secret|api[-_]?key|^key$|^auth|credential|signature/i;

/** A query string with the values of credential-like parameters masked. */
function maskQuery(query: string): string {
  return query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq === -1) return pair;
    let name = pair.slice(0, eq);
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // A name that does not decode is judged as sent.
    }
    return secretParameter.test(name) ? `${pair.slice(0, eq)}=[redacted]` : pair;
  }).join('&');
}

/** A URL as the log shows it: Kura tokens anywhere, npm's logout path and credential-like query parameters masked. */
function maskUrl(url: string): string {
  const masked = url.replace(tokenInText, 'kura_[redacted]');
  const q = masked.indexOf('?');
  const path = (q === -1 ? masked : masked.slice(0, q)).replace(/(\/-\/user\/token\/)[^/?]+/, '$1[redacted]');
  return q === -1 ? path : `${path}?${maskQuery(masked.slice(q + 1))}`;
}

/** A request as the log shows it: method, URL with any secret in it masked, host and peer. */
export function serializeRequest(request: { method?: string; url?: string; headers?: Record<string, unknown>; ip?: string; socket?: { remoteAddress?: string } }) {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : maskUrl(request.url),
    host: request.headers?.['host'],
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
  };
}

/**
 * Request logging: one `info` line per answered request ("request completed": request id, the
 * request as {@link serializeRequest} shows it, status and response time), written as the logger
 * writes its lines; the line on arrival ("incoming request") is logged at `debug`. A request that
 * failed is logged at `error` with its error, as Fastify does.
 */
export class RequestLog extends LogController {
  /** The logger's own fields (pid, hostname), as JSON that continues an object. */
  private readonly bindings: string;
  private readonly destination: { write(line: string): unknown };

  constructor(private readonly logger: Logger) {
    super();
    this.bindings = (logger as unknown as Record<symbol, string>)[symbols.chindingsSym] ?? '';
    this.destination = (logger as unknown as Record<symbol, { write(line: string): unknown }>)[symbols.streamSym]!;
  }

  override incomingRequest(request: FastifyRequest): void {
    (request.log as FastifyBaseLogger).debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    if (!this.logger.isLevelEnabled('info')) return;
    // Every field is masked or Kura's own, so the line is built here rather than through redaction.
    const fields = JSON.stringify({ reqId: request.id, req: serializeRequest(request), res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime, msg: 'request completed' });
    this.destination.write(`{"level":30,"time":${Date.now()}${this.bindings},${fields.slice(1)}\n`);
  }
}
