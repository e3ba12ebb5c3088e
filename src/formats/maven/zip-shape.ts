import { KuraError } from '../../core/errors/catalogue.js';

const localHeader = 0x04034b50;
const centralHeader = 0x02014b50;
const endOfCentralDirectory = 0x06054b50;
const zip64Locator = 0x07064b50;
const eocdSize = 22;
/** The end record sits in the last 22 bytes plus a comment of up to 65,535 bytes. */
const tailSize = eocdSize + 0xffff;

/**
 * Checks, while bytes stream past, that an upload is shaped like a zip archive (a jar, war, ear
 * or aar): it starts with a local file header (or is an empty archive) and ends with an
 * end-of-central-directory record whose comment runs exactly to the end and whose central
 * directory lies inside the file and, when visible in the tail, starts with a central header.
 * Keeps only the first bytes and the last 64 KiB in memory.
 */
export class ZipShapeCheck {
  private head = Buffer.alloc(0);
  /** Recent chunks, trimmed back to the last {@link tailSize} bytes whenever they hold twice that. */
  private recent: Buffer[] = [];
  private recentBytes = 0;
  private size = 0;

  /** @param fileName How messages name the upload. */
  constructor(private readonly fileName: string) {}

  update(chunk: Uint8Array): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.size += bytes.length;
    if (this.head.length < 4) this.head = Buffer.concat([this.head, bytes.subarray(0, 4 - this.head.length)]);
    this.recent.push(bytes);
    this.recentBytes += bytes.length;
    if (this.recentBytes > 2 * tailSize) this.trim();
  }

  /** @throws KuraError INVALID_ARCHIVE naming what is wrong. */
  finish(): void {
    const invalid = (why: string) => new KuraError('INVALID_ARCHIVE', `${this.fileName} is not a zip archive (${why})`);
    if (this.size < eocdSize) throw invalid('too short');
    const signature = this.head.readUInt32LE(0);
    if (signature !== localHeader && signature !== endOfCentralDirectory) throw invalid('it does not start with a zip header');
    const tail = this.trim();
    const tailStart = this.size - tail.length;
    for (let at = tail.length - eocdSize; at >= 0; at--) {
      if (tail.readUInt32LE(at) !== endOfCentralDirectory) continue;
      if (tail.readUInt16LE(at + 20) !== tail.length - at - eocdSize) continue;
      const directorySize = tail.readUInt32LE(at + 12);
      const directoryOffset = tail.readUInt32LE(at + 16);
      if (directoryOffset === 0xffffffff || directorySize === 0xffffffff) {
        if (at >= 20 && tail.readUInt32LE(at - 20) === zip64Locator) return;
        throw invalid('a zip64 end record without its locator');
      }
      const endOffset = tailStart + at;
      if (directoryOffset + directorySize > endOffset) throw invalid('its central directory lies outside the file');
      const inTail = directoryOffset - tailStart;
      if (directorySize > 0 && inTail >= 0 && tail.readUInt32LE(inTail) !== centralHeader) throw invalid('its central directory is corrupt');
      return;
    }
    throw invalid('no end-of-central-directory record');
  }

  /** Keeps only the last {@link tailSize} bytes, as one buffer, and returns it. */
  private trim(): Buffer {
    const joined = Buffer.concat(this.recent, this.recentBytes);
    const tail = joined.length > tailSize ? Buffer.from(joined.subarray(joined.length - tailSize)) : joined;
    this.recent = [tail];
    this.recentBytes = tail.length;
    return tail;
  }
}

/** Extensions whose files must be zip archives. */
const zipExtensions = new Set(['jar', 'war', 'ear', 'aar', 'zip']);

/** Whether files with this extension must be zip archives. */
export function isZipExtension(extension: string): boolean {
  return zipExtensions.has(extension.toLowerCase());
}
