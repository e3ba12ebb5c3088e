import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable } from 'node:stream';
import { parser } from 'stream-json';
import type { BlobStore } from '../../core/blobs/blob-store.js';
import { BlobIngest, type StagedBlob } from '../../core/blobs/blob-ingest.js';
import { KuraError } from '../../core/errors/catalogue.js';

export interface Attachment<T> {
  blob: StagedBlob;
  declaredLength: number | null;
  contentType: string | null;
  /** What `inspect` made of the decoded bytes, read while they streamed in. */
  inspection: Promise<T>;
}

/** A publish or update body: the document without attachment data, and the staged attachments. */
export interface ParsedBody<T> {
  document: Record<string, unknown>;
  attachments: Map<string, Attachment<T>>;
}

export interface ParseOptions<T> {
  /** Largest body accepted, counted on the wire. */
  maxBodyBytes: number;
  /** Largest total of metadata text (everything except attachment data). */
  maxMetadataBytes: number;
  /** Reads each attachment's decoded bytes as they arrive (e.g. to check the archive). */
  inspect: (bytes: Readable) => Promise<T>;
  /** Bodies up to this size are read whole and parsed at once; larger ones stream. Defaults to {@link wholeBodyBytes}. */
  wholeBodyBytes?: number;
}

/**
 * The size up to which a body is read whole: the publish of a typical package (a tarball of a
 * few hundred kilobytes at most) is parsed in one native step instead of token by token. It
 * bounds memory per request like one chunk of a streamed upload does.
 */
export const wholeBodyBytes = 256 * 1024;

/**
 * How deeply a publish document may nest. A packument's deepest fields (conditional `exports`,
 * nested `overrides`) stay within a few dozen levels; thousands would only exhaust the stack of
 * whatever reads the stored metadata later.
 */
export const maxDocumentDepth = 64;

function tooDeep(): KuraError {
  return new KuraError('INVALID_MANIFEST', `the document nests deeper than ${maxDocumentDepth} levels`);
}

type Container = { kind: 'object'; value: Record<string, unknown>; key: string | null } | { kind: 'array'; value: unknown[] };

/**
 * Reads a packument PUT body: `_attachments.<file>.data` (base64) is decoded into the blob store,
 * hashed on the way (sha256, sha512, sha1), and everything else is assembled into a plain object
 * (objects without prototype below the root). A body larger than `wholeBodyBytes` streams:
 * memory stays bounded by one chunk plus `maxMetadataBytes` however large the tarball is.
 * @throws KuraError MALFORMED_JSON, PAYLOAD_TOO_LARGE, INVALID_MANIFEST (nested too deeply); staged blobs are cancelled on failure.
 */
export async function parsePublishBody<T>(source: Readable, store: BlobStore, options: ParseOptions<T>): Promise<ParsedBody<T>> {
  const head = await readHead(source, Math.min(options.wholeBodyBytes ?? wholeBodyBytes, options.maxBodyBytes, options.maxMetadataBytes));
  if (head.complete) return parseWhole(Buffer.concat(head.chunks), store, options);
  return parseStreaming(head.chunks, source, store, options);
}

/** The body's first chunks: all of it (`complete`) when it ends within `limit` bytes, else the chunks up to the first past it, with `source` paused. */
function readHead(source: Readable, limit: number): Promise<{ chunks: Buffer[]; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const settle = (complete: boolean) => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', reject);
      resolve({ chunks, complete });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      bytes += chunk.byteLength;
      if (bytes > limit) {
        source.pause();
        settle(false);
      }
    };
    const onEnd = () => settle(true);
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', reject);
  });
}

/** Parses a body read whole: the same document and attachments as {@link parseStreaming} makes of it. */
async function parseWhole<T>(body: Buffer, store: BlobStore, options: ParseOptions<T>): Promise<ParsedBody<T>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new KuraError('MALFORMED_JSON', 'the request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new KuraError('MALFORMED_JSON', 'the request body must be a JSON object');
  const root = withoutPrototypes(parsed, 1) as Record<string, unknown>;
  const attachments = new Map<string, Attachment<T>>();
  const described = root['_attachments'];
  if (described !== null && typeof described === 'object' && !Array.isArray(described)) {
    try {
      for (const [name, file] of Object.entries(described as Record<string, unknown>)) {
        if (file === null || typeof file !== 'object' || Array.isArray(file)) continue;
        const data = (file as Record<string, unknown>)['data'];
        if (typeof data !== 'string') continue;
        delete (file as Record<string, unknown>)['data'];
        const attachment = await openAttachment(store, options);
        try {
          const decoded = [attachment.decoder.push(data), attachment.decoder.end()];
          for (const bytes of decoded) if (bytes.byteLength > 0) await attachment.write(bytes);
        } catch (error) {
          await attachment.cancel();
          throw error;
        }
        attachments.set(name, attachment.finish());
      }
    } catch (error) {
      for (const a of attachments.values()) await a.blob.cancel();
      throw error;
    }
  }
  return withDescriptions(root, attachments);
}

/**
 * JSON's objects rebuilt without a prototype, as the streaming parser builds them; `depth` is the
 * nesting of `value` (the root is 1).
 * @throws KuraError INVALID_MANIFEST past {@link maxDocumentDepth}
 */
function withoutPrototypes(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > maxDocumentDepth) throw tooDeep();
  if (Array.isArray(value)) return value.map((item) => withoutPrototypes(item, depth + 1));
  const copy = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) copy[key] = withoutPrototypes(item, depth + 1);
  return copy;
}

/** One attachment being staged: decoded bytes go to the blob store and to `inspect`. */
interface OpenAttachment<T> {
  decoder: Base64Decoder;
  write(bytes: Buffer): Promise<void>;
  /** Ends the inspection's input and stages the blob; the inspection's outcome is awaited by the publish. */
  finish(): Attachment<T>;
  cancel(): Promise<void>;
}

async function openAttachment<T>(store: BlobStore, options: ParseOptions<T>): Promise<OpenAttachment<T>> {
  const tap = new PassThrough();
  const inspection = options.inspect(tap);
  inspection.catch(() => undefined);
  const ingest = await BlobIngest.start(store, { extraDigests: ['sha512', 'sha1'] });
  return {
    decoder: new Base64Decoder(),
    write: async (bytes) => {
      await ingest.write(bytes);
      await feed(tap, bytes);
    },
    finish: () => {
      tap.end();
      return { blob: ingest.finish(), declaredLength: null, contentType: null, inspection };
    },
    cancel: async () => {
      tap.destroy();
      await ingest.cancel();
    },
  };
}

/** The document (a plain copy of the root) with each attachment's declared length and content type filled in. */
function withDescriptions<T>(root: Record<string, unknown>, attachments: Map<string, Attachment<T>>): ParsedBody<T> {
  const document = { ...root };
  const described = document['_attachments'];
  if (described && typeof described === 'object') {
    for (const [name, info] of Object.entries(described as Record<string, unknown>)) {
      const entry = attachments.get(name);
      if (!entry || !info || typeof info !== 'object') continue;
      const { length, content_type: contentType } = info as { length?: unknown; content_type?: unknown };
      entry.declaredLength = typeof length === 'number' ? length : null;
      entry.contentType = typeof contentType === 'string' ? contentType : null;
    }
  }
  return { document, attachments };
}

/** Parses a body token by token, `head` (already read) first, then the rest of `source`. */
async function parseStreaming<T>(head: readonly Buffer[], source: Readable, store: BlobStore, options: ParseOptions<T>): Promise<ParsedBody<T>> {
  const attachments = new Map<string, Attachment<T>>();
  const stack: Container[] = [];
  let root: unknown;
  let metadataBytes = 0;
  let stringParts: string[] | null = null;
  type Open = OpenAttachment<T>;
  let attachment: Open | null = null;
  let wireBytes = 0;

  // The request stream is read by hand, not piped: a pipeline would destroy it on error and
  // the client would see a reset connection instead of the 413.
  const limited = new PassThrough();
  let limitError: KuraError | null = null;
  const counting = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      wireBytes += chunk.byteLength;
      if (wireBytes > options.maxBodyBytes) {
        source.off('data', onData);
        limitError = new KuraError('PAYLOAD_TOO_LARGE', `the request body exceeds the limit of ${options.maxBodyBytes} bytes`);
        limited.destroy();
        reject(limitError);
        return;
      }
      if (!limited.write(chunk)) {
        source.pause();
        limited.once('drain', () => source.resume());
      }
    };
    for (const chunk of head) onData(chunk);
    if (limitError) return;
    source.on('data', onData);
    source.once('end', () => {
      limited.end();
      resolve();
    });
    source.once('error', reject);
    source.resume();
  });

  const tokens = parser.asStream({ packKeys: true, streamKeys: false, packNumbers: true, streamNumbers: false, packStrings: false, streamStrings: true });
  const parsing = pipeline(limited, tokens).catch((error: unknown) => {
    throw isKuraError(error) ? error : new KuraError('MALFORMED_JSON', 'the request body is not valid JSON');
  });

  const countMetadata = (n: number) => {
    metadataBytes += n;
    if (metadataBytes > options.maxMetadataBytes) {
      throw new KuraError('PAYLOAD_TOO_LARGE', `package metadata exceeds ${options.maxMetadataBytes} bytes`);
    }
  };

  const place = (value: unknown, isContainer: boolean) => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = value;
    } else if (top.kind === 'array') {
      top.value.push(value);
    } else {
      if (top.key === null) throw new KuraError('MALFORMED_JSON', 'the request body is not valid JSON');
      top.value[top.key] = value;
      if (!isContainer) top.key = null;
    }
  };

  /** The attachment file name when the string about to start is `_attachments.<file>.data`. */
  const attachmentName = (): string | null => {
    if (stack.length !== 3) return null;
    const [rootObj, attachmentsObj, fileObj] = stack as [Container, Container, Container];
    if (rootObj.kind !== 'object' || attachmentsObj.kind !== 'object' || fileObj.kind !== 'object') return null;
    if (rootObj.key !== '_attachments' || fileObj.key !== 'data') return null;
    return attachmentsObj.key;
  };

  try {
    const consume = (async () => {
      for await (const token of tokens as AsyncIterable<{ name: string; value?: unknown }>) {
        switch (token.name) {
          case 'startObject': {
            if (stack.length >= maxDocumentDepth) throw tooDeep();
            const container: Container = { kind: 'object', value: Object.create(null) as Record<string, unknown>, key: null };
            place(container.value, true);
            stack.push(container);
            break;
          }
          case 'startArray': {
            if (stack.length >= maxDocumentDepth) throw tooDeep();
            const container: Container = { kind: 'array', value: [] };
            place(container.value, true);
            stack.push(container);
            break;
          }
          case 'endObject':
          case 'endArray':
            stack.pop();
            {
              const parent = stack[stack.length - 1];
              if (parent?.kind === 'object') parent.key = null;
            }
            break;
          case 'keyValue':
            countMetadata(String(token.value).length);
            (stack[stack.length - 1] as Extract<Container, { kind: 'object' }>).key = String(token.value);
            break;
          case 'startString': {
            const name = attachmentName();
            if (name !== null) {
              attachment = await openAttachment(store, options);
            } else {
              stringParts = [];
            }
            break;
          }
          case 'stringChunk': {
            const text = String(token.value);
            if (attachment) {
              const bytes = attachment.decoder.push(text);
              if (bytes.byteLength > 0) await attachment.write(bytes);
            } else if (stringParts) {
              countMetadata(text.length);
              stringParts.push(text);
            }
            break;
          }
          case 'endString': {
            if (attachment) {
              const current: Open = attachment;
              const rest = current.decoder.end();
              if (rest.byteLength > 0) await current.write(rest);
              attachment = null;
              const fileObj = stack[2] as Extract<Container, { kind: 'object' }>;
              const attachmentsObj = stack[1] as Extract<Container, { kind: 'object' }>;
              const name = attachmentsObj.key!;
              const previous = attachments.get(name);
              if (previous) await previous.blob.cancel();
              attachments.set(name, current.finish());
              fileObj.key = null;
            } else {
              place((stringParts ?? []).join(''), false);
              stringParts = null;
            }
            break;
          }
          case 'numberValue':
            place(Number(token.value), false);
            break;
          case 'nullValue':
            place(null, false);
            break;
          case 'trueValue':
            place(true, false);
            break;
          case 'falseValue':
            place(false, false);
            break;
          default:
            break;
        }
      }
    })();
    await Promise.all([counting, parsing, consume]);
  } catch (error) {
    const pending = attachment as Open | null;
    if (pending) await pending.cancel();
    for (const a of attachments.values()) await a.blob.cancel();
    source.resume();
    throw limitError ?? error;
  }

  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    for (const a of attachments.values()) await a.blob.cancel();
    throw new KuraError('MALFORMED_JSON', 'the request body must be a JSON object');
  }
  return withDescriptions(root as Record<string, unknown>, attachments);
}

/** Writes to an inspection tap, honouring back-pressure; a tap that was closed early is skipped. */
async function feed(tap: PassThrough, bytes: Buffer): Promise<void> {
  if (tap.destroyed || tap.writableEnded) return;
  if (tap.write(bytes)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      tap.off('drain', done);
      tap.off('close', done);
      resolve();
    };
    tap.on('drain', done);
    tap.on('close', done);
  });
}

function isKuraError(error: unknown): error is KuraError {
  return error instanceof KuraError;
}

/** Base64 characters gathered before decoding (about 256 KiB of bytes): few large writes, not many small ones. */
const base64BatchChars = 344_064;

/**
 * Decodes base64 arriving in arbitrary pieces, in large batches. What no encoder writes fails the
 * upload: characters outside the alphabet, padding (`=`) anywhere but at the very end, more than
 * two of it, or a length that leaves a single character over. Padding may be left out.
 */
class Base64Decoder {
  private pending: string[] = [];
  private pendingChars = 0;
  /** Characters decoded so far (whitespace aside). */
  private decodedChars = 0;
  /** Whether padding was seen: the data must end there. */
  private padded = false;

  /** Takes more text; returns decoded bytes once a batch is full, else an empty buffer. */
  push(text: string): Buffer {
    this.pending.push(text);
    this.pendingChars += text.length;
    return this.pendingChars >= base64BatchChars ? this.drain(false) : Buffer.alloc(0);
  }

  /** Decodes whatever is left. */
  end(): Buffer {
    return this.drain(true);
  }

  private drain(final: boolean): Buffer {
    const all = this.pending.join('').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(all) || (this.padded && all.length > 0)) invalidBase64();
    if (all.endsWith('=')) this.padded = true;
    const usable = final ? all.length : all.length - (all.length % 4);
    const carry = all.slice(usable);
    this.pending = carry ? [carry] : [];
    this.pendingChars = carry.length;
    this.decodedChars += usable;
    if (final && (this.decodedChars % 4 === 1 || (this.padded && this.decodedChars % 4 !== 0))) invalidBase64();
    return Buffer.from(all.slice(0, usable), 'base64');
  }
}

function invalidBase64(): never {
  throw new KuraError('INVALID_ARCHIVE', 'attachment data is not valid base64');
}
