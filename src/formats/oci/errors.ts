import type { FastifyReply, FastifyRequest } from 'fastify';
import { challengeFor } from './challenge.js';
import { KuraError, type ErrorCode } from '../../core/errors/catalogue.js';
import { parseRegistryPath } from './routes/registry-path.js';

/** The error codes of the OCI distribution spec (and Docker's TOOMANYREQUESTS / UNKNOWN). */
export type OciErrorCode =
  | 'BLOB_UNKNOWN' | 'BLOB_UPLOAD_INVALID' | 'BLOB_UPLOAD_UNKNOWN' | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN' | 'MANIFEST_INVALID' | 'MANIFEST_UNKNOWN' | 'NAME_INVALID'
  | 'NAME_UNKNOWN' | 'SIZE_INVALID' | 'UNAUTHORIZED' | 'DENIED' | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS' | 'UNKNOWN';

/** The catalogue entry (and so the HTTP status) each OCI code is raised with. */
const catalogueCodeOf: Record<OciErrorCode, ErrorCode> = {
  BLOB_UNKNOWN: 'NOT_FOUND',
  BLOB_UPLOAD_INVALID: 'BAD_REQUEST',
  BLOB_UPLOAD_UNKNOWN: 'NOT_FOUND',
  DIGEST_INVALID: 'DIGEST_MISMATCH',
  MANIFEST_BLOB_UNKNOWN: 'INVALID_MANIFEST',
  MANIFEST_INVALID: 'INVALID_MANIFEST',
  MANIFEST_UNKNOWN: 'NOT_FOUND',
  NAME_INVALID: 'INVALID_NAME',
  NAME_UNKNOWN: 'NOT_FOUND',
  SIZE_INVALID: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  DENIED: 'FORBIDDEN',
  UNSUPPORTED: 'METHOD_NOT_ALLOWED',
  TOOMANYREQUESTS: 'UNAVAILABLE',
  UNKNOWN: 'INTERNAL',
};

/** The OCI code a catalogue error gets when whoever raised it did not name one. */
const defaultOciCode: Partial<Record<ErrorCode, OciErrorCode>> = {
  NOT_FOUND: 'NAME_UNKNOWN',
  FORMAT_DISABLED: 'UNSUPPORTED',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'DENIED',
  MISSING_SCOPE: 'DENIED',
  READ_ONLY: 'DENIED',
  DELETE_PROTECTED: 'DENIED',
  VISIBILITY_PROTECTED: 'DENIED',
  VERSION_EXISTS: 'DENIED',
  IN_USE: 'DENIED',
  RESTORE_EXPIRED: 'DENIED',
  DIGEST_MISMATCH: 'DIGEST_INVALID',
  INVALID_NAME: 'NAME_INVALID',
  INVALID_MANIFEST: 'MANIFEST_INVALID',
  MALFORMED_JSON: 'MANIFEST_INVALID',
  PAYLOAD_TOO_LARGE: 'SIZE_INVALID',
  RANGE_NOT_SATISFIABLE: 'BLOB_UPLOAD_INVALID',
  METHOD_NOT_ALLOWED: 'UNSUPPORTED',
  BAD_REQUEST: 'UNSUPPORTED',
};

/**
 * A catalogue error that renders as `code` in the OCI dialect. `status` overrides the
 * catalogue's status for codes the spec pairs with another one (413 for an oversize manifest).
 */
export function ociError(code: OciErrorCode, message: string, detail?: Record<string, unknown>, catalogueCode?: ErrorCode): KuraError {
  return new KuraError(catalogueCode ?? catalogueCodeOf[code], message, { ...detail, ociCode: code });
}

/** The OCI code an error renders as; a body of the wrong type is invalid as what the path takes. */
export function ociCodeOf(error: KuraError, request: FastifyRequest): OciErrorCode {
  const named = error.detail?.['ociCode'];
  if (typeof named === 'string') return named as OciErrorCode;
  if (error.code === 'UNSUPPORTED_MEDIA_TYPE') return unsupportedBodyCode(request.url);
  return defaultOciCode[error.code] ?? 'UNKNOWN';
}

function unsupportedBodyCode(url: string): OciErrorCode {
  let kind: string | undefined;
  try {
    kind = parseRegistryPath(url)?.kind;
  } catch {
    return 'UNSUPPORTED';
  }
  if (kind === 'manifest') return 'MANIFEST_INVALID';
  return kind === 'uploads' || kind === 'upload' ? 'BLOB_UPLOAD_INVALID' : 'UNSUPPORTED';
}

/**
 * Sends `{"errors":[{"code","message","detail"}]}` with the catalogue status, and on a 401 the
 * token-flow challenge naming the scope the request needs.
 */
export function sendOciError(error: KuraError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.status === 401) reply.header('www-authenticate', challengeFor(request));
  const { ociCode: _ociCode, ...rest } = error.detail ?? {};
  const detail = Object.keys(rest).length > 0 ? rest : null;
  return reply.status(error.status).type('application/json').send({ errors: [{ code: ociCodeOf(error, request), message: error.message, detail }] });
}
