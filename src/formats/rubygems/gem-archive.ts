import { createHash, type Hash } from 'node:crypto';
import { posix } from 'node:path';
import { createGunzip, gunzipSync, type Gunzip } from 'node:zlib';
import { parseDocument } from 'yaml';
import { Parser, type ReadEntry } from 'tar';
import { KuraError } from '../../core/errors/catalogue.js';
import { isUnsafeArchivePath } from '../shared/archive-path.js';
import { parseGemspec, type GemSpec } from './gemspec.js';

/** The largest `metadata.gz` accepted, uncompressed (a gemspec is a few KB; 2 MB is generous). */
export const maxMetadataBytes = 2 * 1024 * 1024;
const maxChecksumsBytes = 64 * 1024;
const hashedMembers = new Set(['metadata.gz', 'data.tar.gz']);

interface MemberDigests { sha256: Hash; sha512: Hash }

/** `data.tar.gz` may inflate to this many times its size (beyond {@link dataGraceBytes}); more is a likely bomb. */
const maxDataRatio = 200;
const dataGraceBytes = 16 * 1024 * 1024;

/** Where a link inside the gem's files points, resolved from the link's directory; null when it escapes. */
function linkTarget(path: string, target: string): string | null {
  if (target.startsWith('/') || target.startsWith('\\') || /^[A-Za-z]:/.test(target) || target.includes('\0')) return null;
  const resolved = posix.normalize(posix.join(posix.dirname(path.replace(/\\/g, '/')), target.replace(/\\/g, '/')));
  return resolved === '..' || resolved.startsWith('../') ? null : resolved;
}

/**
 * Reads `data.tar.gz` (the gem's files, a gzip'd tar) as it streams past: gzip and tar must be
 * valid, and no path or link may leave the directory `gem install` unpacks into (RubyGems refuses
 * those at install time; Kura refuses them at push). Inflation is bounded by {@link maxDataRatio}.
 */
class DataInspection {
  private readonly gunzip: Gunzip;
  private readonly parser: Parser;
  private inflated = 0;
  private archiveEnded = false;
  private readonly maxInflated: number;
  /** Why the files are refused, once known. */
  failure: string | null = null;
  readonly ended: Promise<void>;

  constructor(compressedSize: number) {
    this.maxInflated = Math.max(dataGraceBytes, compressedSize * maxDataRatio);
    this.gunzip = createGunzip();
    this.parser = new Parser({ strict: true, onReadEntry: (entry) => this.onEntry(entry) });
    // Bytes after the end-of-archive blocks are only counted: tar would buffer them all.
    this.parser.on('eof', () => {
      this.archiveEnded = true;
    });
    this.ended = new Promise<void>((resolve) => {
      const stop = (message: string) => {
        this.fail(message);
        this.gunzip.destroy();
        resolve();
      };
      this.gunzip.on('error', () => stop('data.tar.gz is not valid gzip'));
      this.parser.on('error', (error: Error) => stop(`data.tar.gz is not a valid tar archive: ${error.message}`));
      this.gunzip.on('data', (chunk: Buffer) => {
        this.inflated += chunk.length;
        if (this.inflated > this.maxInflated) stop(`data.tar.gz inflates to more than ${maxDataRatio} times its size; refusing a likely gzip bomb`);
        else if (!this.archiveEnded) this.parser.write(chunk);
      });
      this.gunzip.on('end', () => {
        this.parser.end();
        resolve();
      });
    });
  }

  write(chunk: Buffer): void {
    if (!this.gunzip.destroyed && !this.gunzip.writableEnded) this.gunzip.write(chunk);
  }

  end(): void {
    if (!this.gunzip.destroyed && !this.gunzip.writableEnded) this.gunzip.end();
  }

  private fail(message: string): void {
    this.failure ??= message;
  }

  private onEntry(entry: ReadEntry): void {
    const path = entry.path;
    if (isUnsafeArchivePath(path)) this.fail(`data.tar.gz contains an unsafe path "${path}"`);
    // A symbolic link's target is relative to its directory, a hard link's to the archive's root.
    const from = entry.type === 'SymbolicLink' ? path : entry.type === 'Link' ? 'root' : null;
    if (from !== null && linkTarget(from, entry.linkpath ?? '') === null) {
      this.fail(`data.tar.gz contains a link leaving the gem "${path}" -> "${entry.linkpath ?? ''}"`);
    }
    entry.resume();
  }
}

/**
 * Reads a `.gem` (a plain tar of `metadata.gz`, `data.tar.gz` and `checksums.yaml.gz`) while it
 * streams into the blob store: hashes the members, keeps the small ones, refuses links and
 * unsafe paths. {@link finish} then checks `checksums.yaml` against the members and parses the
 * specification safely.
 */
export class GemInspection {
  private readonly parser: Parser;
  private readonly digests = new Map<string, MemberDigests>();
  private readonly seen = new Set<string>();
  private data: DataInspection | null = null;
  private metadata: Buffer | null = null;
  private checksums: Buffer | null = null;
  private failure: KuraError | null = null;
  private sawFirstChunk = false;
  /**
   * Past the end-of-archive blocks. Later bytes are ignored, as RubyGems' tar reader ignores them,
   * and never parsed: tar would keep them all in one buffer grown by copying at each chunk.
   */
  private archiveEnded = false;
  private readonly ended: Promise<void>;

  constructor() {
    this.parser = new Parser({ strict: true, onReadEntry: (entry) => this.onEntry(entry) });
    this.parser.on('eof', () => {
      this.archiveEnded = true;
    });
    this.ended = new Promise<void>((resolve) => {
      this.parser.on('error', (error: Error) => {
        this.failure ??= new KuraError('INVALID_ARCHIVE', `the gem is not a valid tar archive: ${error.message}`);
        resolve();
      });
      this.parser.on('end', () => resolve());
    });
  }

  /** Feeds the next chunk of the upload. @throws KuraError INVALID_ARCHIVE once the bytes are known to be bad */
  update(chunk: Uint8Array): void {
    if (!this.sawFirstChunk) {
      this.sawFirstChunk = true;
      if (chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) this.fail('a .gem is a plain tar archive, not a gzip file');
    }
    if (this.failure) throw this.failure;
    if (!this.archiveEnded) this.parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (this.failure) throw this.failure;
  }

  /**
   * The gem's specification, once every byte was seen.
   * @throws KuraError INVALID_ARCHIVE, INVALID_MANIFEST, DIGEST_MISMATCH, PAYLOAD_TOO_LARGE, INVALID_NAME, INVALID_VERSION
   */
  async finish(): Promise<GemSpec> {
    this.parser.end();
    await this.ended;
    if (!this.sawFirstChunk) throw new KuraError('INVALID_ARCHIVE', 'the body is empty: expected a .gem file');
    if (this.failure) throw this.failure;
    if (!this.metadata) throw new KuraError('INVALID_ARCHIVE', 'the gem has no metadata.gz');
    if (!this.digests.has('data.tar.gz')) throw new KuraError('INVALID_ARCHIVE', 'the gem has no data.tar.gz');
    if (this.checksums) this.verifyChecksums(this.checksums);
    const spec = parseGemspec(gunzipBounded(this.metadata, maxMetadataBytes, 'metadata.gz').toString('utf8'));
    this.data?.end();
    await this.data?.ended;
    if (this.data?.failure) throw new KuraError('INVALID_ARCHIVE', this.data.failure);
    return spec;
  }

  private onEntry(entry: ReadEntry): void {
    const path = entry.path;
    if (isUnsafeArchivePath(path)) this.fail(`the gem contains an unsafe path "${path}"`);
    // RubyGems refuses a package with duplicate entries: gem install would read another member than Kura did.
    if (this.seen.has(path)) this.fail(`the gem contains ${path} twice`);
    this.seen.add(path);
    if (entry.type === 'SymbolicLink' || entry.type === 'Link') this.fail(`the gem contains a link "${path}"`);
    const keep = path === 'metadata.gz' ? maxMetadataBytes : path === 'checksums.yaml.gz' ? maxChecksumsBytes : 0;
    if (keep > 0 && (entry.size ?? 0) > keep) this.fail(`${path} is larger than ${keep} bytes`);
    const digests = hashedMembers.has(path) ? { sha256: createHash('sha256'), sha512: createHash('sha512') } : null;
    if (digests) this.digests.set(path, digests);
    const kept: Buffer[] = [];
    const data = path === 'data.tar.gz' && !this.data ? new DataInspection(entry.size ?? 0) : null;
    if (data) this.data = data;
    entry.on('data', (chunk: Buffer) => {
      digests?.sha256.update(chunk);
      digests?.sha512.update(chunk);
      data?.write(chunk);
      if (keep > 0) kept.push(chunk);
    });
    entry.on('end', () => {
      data?.end();
      if (path === 'metadata.gz') this.metadata = Buffer.concat(kept);
      if (path === 'checksums.yaml.gz') this.checksums = Buffer.concat(kept);
    });
  }

  private verifyChecksums(gzipped: Buffer): void {
    const text = gunzipBounded(gzipped, maxChecksumsBytes, 'checksums.yaml.gz').toString('utf8');
    let parsed: unknown = null;
    try {
      // No aliases: checksums.yaml is a two-level mapping of hex digests.
      const doc = parseDocument(text, { schema: 'failsafe' });
      parsed = doc.errors.length === 0 ? doc.toJS({ maxAliasCount: 0 }) : null;
    } catch {
      parsed = null;
    }
    if (!parsed || typeof parsed !== 'object') throw new KuraError('INVALID_MANIFEST', 'checksums.yaml is not a mapping of algorithms to member digests');
    const computed = new Map([...this.digests].map(([member, d]) => [member, { SHA256: d.sha256.digest('hex'), SHA512: d.sha512.digest('hex') }]));
    for (const [algorithm, members] of Object.entries(parsed as Record<string, unknown>)) {
      if (algorithm !== 'SHA256' && algorithm !== 'SHA512') continue;
      if (!members || typeof members !== 'object') continue;
      for (const [member, expected] of Object.entries(members as Record<string, unknown>)) {
        const actual = computed.get(member)?.[algorithm];
        if (actual === undefined) continue;
        if (actual !== String(expected).toLowerCase()) {
          throw new KuraError('DIGEST_MISMATCH', `${member} does not match its ${algorithm} in checksums.yaml (the gem is corrupt)`);
        }
      }
    }
  }

  private fail(message: string): void {
    this.failure ??= new KuraError('INVALID_ARCHIVE', message);
  }
}

/** Gunzips a member, refusing more than `limit` bytes of output. */
function gunzipBounded(data: Buffer, limit: number, what: string): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: limit });
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new KuraError('PAYLOAD_TOO_LARGE', `${what} is larger than ${limit} bytes uncompressed`);
    }
    throw new KuraError('INVALID_ARCHIVE', `${what} is not valid gzip`);
  }
}

/** Passes a stream through unchanged while showing each chunk to `inspection`. */
export async function* inspectedGem(source: AsyncIterable<Uint8Array>, inspection: GemInspection): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    inspection.update(chunk);
    yield chunk;
  }
}
