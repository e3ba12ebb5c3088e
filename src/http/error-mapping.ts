import type { FastifyError, FastifyRequest } from 'fastify';
import { KuraError, isKuraError } from '../core/errors/catalogue.js';

/**
 * Maps anything thrown while serving a request to a catalogue error: Kura errors pass through,
 * Fastify's own (body too large, bad JSON, bad content type) get their catalogue codes, and the
 * rest become INTERNAL after being logged. Internals never reach the client.
 */
export function toKuraError(error: unknown, request: FastifyRequest): KuraError {
  if (isKuraError(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new KuraError('PAYLOAD_TOO_LARGE', 'the request body exceeds the size limit');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new KuraError('MALFORMED_JSON', 'the request body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new KuraError('UNSUPPORTED_MEDIA_TYPE', 'unsupported content type');
    case 'FST_ERR_BAD_URL':
      return new KuraError('BAD_REQUEST', 'the URL is malformed (bad percent-encoding)');
    case 'FST_ERR_VALIDATION':
      return new KuraError('BAD_REQUEST', fastifyError.message ?? 'invalid request');
    default:
      break;
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return new KuraError('MALFORMED_JSON', 'the request body is not valid JSON');
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new KuraError('BAD_REQUEST', 'the request is malformed');
  }
  request.log.error({ err: error }, 'unexpected error');
  return new KuraError('INTERNAL', 'internal server error');
}
