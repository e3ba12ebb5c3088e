/**
 * The one catalogue of errors Kura reports. Every failure a caller can see has a code here;
 * each format renders a {@link KuraError} in its client's dialect, in one place.
 * docs/ERRORS.md documents every entry (a test keeps the two in sync).
 */
export const errorCatalogue = {
  BAD_REQUEST: { status: 400, summary: 'The request is malformed.' },
  MALFORMED_JSON: { status: 400, summary: 'The body is not valid JSON.' },
  INVALID_NAME: { status: 400, summary: 'A name breaks the naming rules of its kind or format.' },
  INVALID_VERSION: { status: 400, summary: 'A version does not follow the format’s versioning scheme.' },
  INVALID_ARCHIVE: { status: 400, summary: 'An uploaded archive is not of the expected type, is corrupt, or holds unsafe paths.' },
  INVALID_MANIFEST: { status: 400, summary: 'Package metadata is missing required fields or contradicts itself.' },
  NAME_MISMATCH: { status: 400, summary: 'The name in the body differs from the name in the URL.' },
  DIGEST_MISMATCH: { status: 400, summary: 'Uploaded bytes do not match the declared checksum or integrity.' },
  UNAUTHENTICATED: { status: 401, summary: 'Credentials are required, or the ones sent are unknown, expired or revoked.' },
  FORBIDDEN: { status: 403, summary: 'The caller may read the target but lacks the permission the action needs.' },
  CSRF_REJECTED: { status: 403, summary: 'A form was posted without the token of the page that showed it, or from another site.' },
  MISSING_SCOPE: { status: 403, summary: 'The token lacks the scope the action needs.' },
  READ_ONLY: { status: 403, summary: 'The format is read-only on this server: downloads work, uploads are refused.' },
  DELETE_PROTECTED: { status: 403, summary: 'The version is downloaded too often to be deleted by anyone but a site admin.' },
  VISIBILITY_PROTECTED: { status: 403, summary: 'The public package is downloaded too often to be made private by anyone but a site admin.' },
  NOT_FOUND: { status: 404, summary: 'The target does not exist, or the caller may not see it.' },
  FORMAT_DISABLED: { status: 404, summary: 'The format is disabled on this server.' },
  METHOD_NOT_ALLOWED: { status: 405, summary: 'The endpoint does not support this method.' },
  ALREADY_EXISTS: { status: 409, summary: 'A user, organization, repository or token with that name, or a webhook with that URL, already exists.' },
  VERSION_EXISTS: { status: 409, summary: 'The version was published before (perhaps since deleted); versions are immutable.' },
  LAST_OWNER: { status: 409, summary: 'The change would leave an organization without an owner.' },
  IN_USE: { status: 409, summary: 'The target is still needed by something that refers to it (a manifest an image index lists); remove that first.' },
  RESTORE_EXPIRED: { status: 410, summary: 'The deleted item is past its restore window.' },
  PAYLOAD_TOO_LARGE: { status: 413, summary: 'The body exceeds the configured size limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'The body’s content type is not accepted here.' },
  RANGE_NOT_SATISFIABLE: { status: 416, summary: 'A byte range does not fit the content, or an upload chunk does not start where the upload ends.' },
  TOO_MANY_REQUESTS: { status: 429, summary: 'Too many failed sign-ins for the account or address; try again later.' },
  INTERNAL: { status: 500, summary: 'An unexpected server error; details are logged, never returned.' },
  UNAVAILABLE: { status: 503, summary: 'A dependency of the server (database, storage) is not reachable.' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** A failure a caller may see: a catalogue code, its HTTP status and a message safe to show. */
export class KuraError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra fields a format may render (e.g. an OCI error's `detail`). Never internals. */
  readonly detail: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, detail?: Record<string, unknown>) {
    super(message);
    this.name = 'KuraError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.detail = detail;
  }
}

/** Narrows an unknown thrown value to a {@link KuraError}. */
export function isKuraError(error: unknown): error is KuraError {
  return error instanceof KuraError;
}
