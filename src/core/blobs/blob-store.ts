import type { Readable } from 'node:stream';

/** Byte range, both ends inclusive, as in HTTP `Range`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobInfo {
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
  size: number;
  /** Last write or touch; garbage collection measures its grace period from here. */
  modifiedAt: Date;
}

/**
 * A write in progress. Bytes become readable under a digest only after {@link commit};
 * {@link cancel} discards them. Exactly one of the two must be called.
 */
export interface BlobWriter {
  /** Appends bytes; resolves when the driver has accepted them (back-pressure). */
  write(chunk: Uint8Array): Promise<void>;
  /** Bytes written so far. */
  readonly size: number;
  /**
   * Reads back up to `length` bytes written so far, from `position`, into `into` (before commit or
   * cancel), so a format can check an archive whose index sits at its end (a zip) before any of it
   * is stored. Resolves to the number of bytes read (0 at the end).
   */
  read(into: Uint8Array, length: number, position: number): Promise<number>;
  /**
   * Says that nothing more will be written: the driver may start making the bytes durable while
   * the caller checks them, so that {@link commit} has less left to wait for. Optional; it never
   * makes anything visible, and a later {@link cancel} still discards everything.
   */
  ended?(): void;
  /**
   * Makes the content durable and visible as `sha256`. If a blob with that digest already
   * exists, it keeps the same bytes (a driver may keep the stored copy or replace it with the new
   * one) and counts as just written for garbage collection. The caller vouches that `sha256` is
   * the digest of what it wrote.
   */
  commit(sha256: string): Promise<void>;
  /** Discards the bytes. Never fails. */
  cancel(): Promise<void>;
}

/**
 * A committed blob opened for positioned reads, so a caller can reuse its own buffers instead
 * of receiving a fresh one per chunk. Close it exactly once.
 */
export interface BlobHandle {
  /**
   * Copies up to `length` bytes from `position` of the blob into the start of `into` and
   * resolves to the number copied: fewer than asked only at the end of the blob, 0 past it.
   */
  read(into: Uint8Array, length: number, position: number): Promise<number>;
  /** Releases the handle. Never fails. */
  close(): Promise<void>;
}

/** An upload in progress, as {@link ResumableUploads.list} reports it. */
export interface UploadInfo {
  id: string;
  /** Bytes received so far. */
  size: number;
  /** Last time bytes arrived. */
  modifiedAt: Date;
}

/**
 * Resumable writes: bytes appended under an upload id over many requests (and across server
 * restarts), then committed under their digest like a {@link BlobWriter}. The store keeps only
 * the bytes; who may append and for what is the caller's business. Upload ids are UUIDs.
 */
export interface ResumableUploads {
  /** Starts an empty upload and returns its id. */
  start(): Promise<string>;
  /** Bytes received so far, or null when no upload has that id. */
  size(id: string): Promise<number | null>;
  /**
   * Appends `source` at `offset`, which must be the current size, and makes the bytes durable
   * before resolving to the new size. When `source` fails midway, the bytes written before the
   * failure stay (a client resumes from {@link size}).
   * @throws KuraError NOT_FOUND for an unknown id, RANGE_NOT_SATISFIABLE when `offset` is not the current size.
   */
  append(id: string, offset: number, source: AsyncIterable<Uint8Array>): Promise<number>;
  /** Streams the bytes received so far (to hash them again after a restart). @throws KuraError NOT_FOUND */
  read(id: string): Promise<Readable>;
  /**
   * Makes the upload's bytes the blob `sha256` and ends the upload; an existing blob with that
   * digest keeps the same bytes and counts as just written. The caller vouches for the digest.
   * @throws KuraError NOT_FOUND for an unknown id.
   */
  commit(id: string, sha256: string): Promise<void>;
  /** Discards an upload; unknown ids are not an error. Never fails. */
  cancel(id: string): Promise<void>;
  /** Every upload in progress, in no particular order (for reaping abandoned ones). */
  list(): AsyncIterable<UploadInfo>;
}

/**
 * The narrow storage port for content-addressed bytes. Drivers (fs, memory, later S3) pass
 * the conformance suite in test/conformance/blob-store.test.ts.
 */
export interface BlobStore {
  /** Starts a write. */
  create(): Promise<BlobWriter>;
  /**
   * Streams a blob, or the inclusive `range` of it.
   * @throws KuraError NOT_FOUND when no blob has that digest.
   */
  open(sha256: string, range?: ByteRange): Promise<Readable>;
  /**
   * Opens a blob for positioned reads (downloads use it with reused buffers).
   * @throws KuraError NOT_FOUND when no blob has that digest.
   */
  openHandle(sha256: string): Promise<BlobHandle>;
  /** Reads a whole blob into memory; for small blobs only (callers check the size first). */
  read(sha256: string): Promise<Buffer>;
  /** Size and modification time, or null when absent. */
  stat(sha256: string): Promise<BlobInfo | null>;
  /** Marks the blob as just written, restarting its garbage-collection grace period. */
  touch(sha256: string): Promise<void>;
  /** Removes a blob; absent blobs are not an error. Only garbage collection calls this. */
  delete(sha256: string): Promise<void>;
  /** Every committed blob, in no particular order. */
  list(): AsyncIterable<BlobInfo>;
  /** A URL clients may fetch the blob from directly, when the driver offers one. */
  redirectUrl?(sha256: string): Promise<string | null>;
  /**
   * Confirms the store can be used (a remote store: the bucket exists and the credentials work);
   * stores that cannot fail this way leave it out. @throws Error saying what is wrong.
   */
  check?(): Promise<void>;
  /** Writes that span several requests (chunked container blob uploads). */
  readonly uploads: ResumableUploads;
}

const sha256Pattern = /^[0-9a-f]{64}$/;

/** True when `value` is a lower-case hex SHA-256 digest (the only key a BlobStore accepts). */
export function isSha256Hex(value: string): boolean {
  return sha256Pattern.test(value);
}

const uploadIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True when `value` is a lower-case UUID, the only upload id a BlobStore accepts. */
export function isUploadId(value: string): boolean {
  return uploadIdPattern.test(value);
}
