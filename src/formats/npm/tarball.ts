import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { KuraError } from '../../core/errors/catalogue.js';
import { isUnsafeArchivePath } from '../shared/archive-path.js';

/** What Kura reads out of an npm tarball. */
export interface TarballFacts {
  packageJson: Record<string, unknown>;
  readme: string | null;
  readmeFilename: string | null;
  fileCount: number;
  unpackedSize: number;
}

const maxTextBytes = 2 * 1024 * 1024;

/**
 * The most an npm tarball may decompress to. It bounds the work a small upload can cause (gzip
 * reaches ratios of 1000:1); real packages stay far below it.
 */
export const maxUnpackedBytes = 2 * 1024 ** 3;

/**
 * Reads an npm tarball (gzip'd tar) as it streams: checks that it is gzip and tar, that no entry
 * path escapes (absolute, `..`, drive letters), and extracts package.json and the README.
 * Decompression stops at the archive's end (anything after it is ignored, never inflated) and at
 * `maxUnpackedBytes`.
 * @throws KuraError INVALID_ARCHIVE, INVALID_MANIFEST
 */
export async function inspectTarball(stream: Readable, options: { maxUnpackedBytes?: number } = {}): Promise<TarballFacts> {
  const limit = options.maxUnpackedBytes ?? maxUnpackedBytes;
  let packageJsonText: string | null = null;
  let readme: string | null = null;
  let readmeFilename: string | null = null;
  let fileCount = 0;
  let unpackedSize = 0;
  let sawGzip: boolean | null = null;
  let unsafe: string | null = null;

  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const path = entry.path;
      if (isUnsafeArchivePath(path)) unsafe ??= path;
      if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
        const target = entry.linkpath ?? '';
        if (isUnsafeArchivePath(target)) unsafe ??= `${path} -> ${target}`;
      }
      if (entry.type === 'File' || entry.type === 'OldFile') {
        fileCount += 1;
        unpackedSize += entry.size ?? 0;
      }
      const inner = path.replace(/^[^/]+\//, '');
      const wantsPackageJson = inner === 'package.json' && path.split('/').length === 2;
      const wantsReadme = /^readme(\.(md|markdown|txt))?$/i.test(inner) && path.split('/').length === 2 && readme === null;
      if ((wantsPackageJson || wantsReadme) && (entry.size ?? 0) <= maxTextBytes) {
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (wantsPackageJson) packageJsonText = text;
          else {
            readme = text;
            readmeFilename = inner;
          }
        });
      } else {
        entry.resume();
      }
    },
  });

  await new Promise<void>((resolve, reject) => {
    const gunzip = createGunzip();
    let inflated = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        inflated += chunk.byteLength;
        if (inflated > limit) callback(new KuraError('INVALID_ARCHIVE', `the tarball decompresses to more than ${limit} bytes`));
        else callback(null, chunk);
      },
    });
    /** Stops inflating: what is left of the upload is read and dropped. */
    const detach = () => {
      stream.unpipe(gunzip);
      gunzip.unpipe(counted);
      counted.unpipe(parser);
      gunzip.destroy();
      counted.destroy();
      stream.resume();
    };
    const fail = (error: unknown) => {
      detach();
      stream.destroy();
      reject(error instanceof KuraError ? error : new KuraError('INVALID_ARCHIVE', `the tarball is not a valid gzip'd tar archive${error instanceof Error ? `: ${error.message}` : ''}`));
    };
    stream.once('data', (first: Buffer) => {
      sawGzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
      if (!sawGzip) fail(new KuraError('INVALID_ARCHIVE', 'the tarball is not gzip-compressed'));
    });
    stream.on('error', fail);
    gunzip.on('error', fail);
    counted.on('error', fail);
    parser.on('error', fail);
    // The end-of-archive blocks: the entries are all read, so nothing after them is inflated
    // (the parser would keep every later byte in one growing buffer).
    parser.once('eof', () => setImmediate(() => {
      detach();
      parser.end();
    }));
    parser.on('end', () => {
      stream.resume();
      resolve();
    });
    stream.pipe(gunzip).pipe(counted).pipe(parser);
  });

  if (unsafe) throw new KuraError('INVALID_ARCHIVE', `the tarball contains an unsafe path "${unsafe}"`);
  if (packageJsonText === null) throw new KuraError('INVALID_ARCHIVE', 'the tarball has no package/package.json');
  let packageJson: unknown;
  try {
    packageJson = JSON.parse(packageJsonText);
  } catch {
    throw new KuraError('INVALID_MANIFEST', 'package.json in the tarball is not valid JSON');
  }
  if (!packageJson || typeof packageJson !== 'object' || Array.isArray(packageJson)) {
    throw new KuraError('INVALID_MANIFEST', 'package.json in the tarball is not a JSON object');
  }
  return { packageJson: packageJson as Record<string, unknown>, readme, readmeFilename, fileCount, unpackedSize };
}
