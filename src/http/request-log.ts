import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

const tokenInText = /kura_[0-9A-Za-z]{36}/g;

/** A request as the log shows it: method, URL with any token in it masked, host and peer. */
export function serializeRequest(request: { method?: string; url?: string; headers?: Record<string, unknown>; ip?: string; socket?: { remoteAddress?: string } }) {
  return {
    method: request.method,
    url: request.url?.replace(tokenInText, 'kura_[redacted]').replace(/(\/-\/user\/token\/)[^/?]+/, '$1[redacted]'),
    host: request.headers?.['host'],
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
  };
}

/**
 * Request logging: one `info` line per answered request ("request completed": request id, the
 * request as {@link serializeRequest} shows it, status and response time); the line on arrival
 * ("incoming request") is logged at `debug`. A request that failed is logged at `error` with
 * its error, as Fastify does.
 */
export class RequestLog extends LogController {
  /** Writes request lines, whose fields are all masked by construction, without redaction. */
  private readonly lines: Logger;

  constructor(logger: Logger) {
    super();
    this.lines = logger.child({}, { redact: [] });
  }

  override incomingRequest(request: FastifyRequest): void {
    (request.log as FastifyBaseLogger).debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    if (!this.lines.isLevelEnabled('info')) return;
    this.lines.info({ reqId: request.id, req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request completed');
  }
}
