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
}

type Container = { kind: 'object'; value: Record<string, unknown>; key: string | null } | { kind: 'array'; value: unknown[] };

/**
 * Streams a packument PUT body: `_attachments.<file>.data` (base64) is decoded straight into the
 * blob store, hashed on the way (sha256, sha512, sha1), and everything else is assembled into a
 * plain object. Memory stays bounded by one chunk plus `maxMetadataBytes` however large the
 * tarball is.
 * @throws KuraError MALFORMED_JSON, PAYLOAD_TOO_LARGE; staged blobs are cancelled on failure.
 */
export async function parsePublishBody<T>(source: Readable, store: BlobStore, options: ParseOptions<T>): Promise<ParsedBody<T>> {
  const attachments = new Map<string, Attachment<T>>();
  const stack: Container[] = [];
  let root: unknown;
  let metadataBytes = 0;
  let stringParts: string[] | null = null;
  type Open = { ingest: BlobIngest; decoder: Base64Decoder; tap: PassThrough; inspection: Promise<T> };
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
    source.on('data', onData);
    source.once('end', () => {
      limited.end();
      resolve();
    });
    source.once('error', reject);
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
            const container: Container = { kind: 'object', value: Object.create(null) as Record<string, unknown>, key: null };
            place(container.value, true);
            stack.push(container);
            break;
          }
          case 'startArray': {
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
              const tap = new PassThrough();
              const inspection = options.inspect(tap);
              inspection.catch(() => undefined);
              attachment = { ingest: await BlobIngest.start(store, { extraDigests: ['sha512', 'sha1'] }), decoder: new Base64Decoder(), tap, inspection };
            } else {
              stringParts = [];
            }
            break;
          }
          case 'stringChunk': {
            const text = String(token.value);
            if (attachment) {
              const bytes = attachment.decoder.push(text);
              if (bytes.byteLength > 0) {
                await attachment.ingest.write(bytes);
                await feed(attachment.tap, bytes);
              }
            } else if (stringParts) {
              countMetadata(text.length);
              stringParts.push(text);
            }
            break;
          }
          case 'endString': {
            if (attachment) {
              const current: Open = attachment;
              attachment = null;
              const rest = current.decoder.end();
              if (rest.byteLength > 0) {
                await current.ingest.write(rest);
                await feed(current.tap, rest);
              }
              current.tap.end();
              const fileObj = stack[2] as Extract<Container, { kind: 'object' }>;
              const attachmentsObj = stack[1] as Extract<Container, { kind: 'object' }>;
              const name = attachmentsObj.key!;
              const previous = attachments.get(name);
              if (previous) await previous.blob.cancel();
              attachments.set(name, { blob: current.ingest.finish(), declaredLength: null, contentType: null, inspection: current.inspection });
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
    if (pending) {
      pending.tap.destroy();
      await pending.ingest.cancel();
    }
    for (const a of attachments.values()) await a.blob.cancel();
    source.resume();
    throw limitError ?? error;
  }

  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    for (const a of attachments.values()) await a.blob.cancel();
    throw new KuraError('MALFORMED_JSON', 'the request body must be a JSON object');
  }
  const document = { ...(root as Record<string, unknown>) };
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

/** Decodes base64 arriving in arbitrary pieces, in large batches; invalid characters fail the upload. */
class Base64Decoder {
  private pending: string[] = [];
  private pendingChars = 0;

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
    if (!/^[A-Za-z0-9+/=]*$/.test(all)) throw new KuraError('INVALID_ARCHIVE', 'attachment data is not valid base64');
    const usable = final ? all.length : all.length - (all.length % 4);
    const carry = all.slice(usable);
    this.pending = carry ? [carry] : [];
    this.pendingChars = carry.length;
    return Buffer.from(all.slice(0, usable), 'base64');
  }
}
