import { createHash } from 'node:crypto';
import type { BlobStore } from '../../core/blobs/blob-store.js';
import { KuraError } from '../../core/errors/catalogue.js';
import type { DigestedFile } from '../../core/packages/file-queries.js';

/** The checksum files Maven and Gradle upload and fetch next to every file. */
export type ChecksumAlgorithm = 'sha1' | 'md5' | 'sha256' | 'sha512';

const hexLength: Record<ChecksumAlgorithm, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };
const suffixes: readonly ChecksumAlgorithm[] = ['sha1', 'md5', 'sha256', 'sha512'];

/** `lib-1.0.jar.sha1` → `{ base: 'lib-1.0.jar', algorithm: 'sha1' }`; other names have no algorithm. */
export function splitChecksumSuffix(fileName: string): { base: string; algorithm: ChecksumAlgorithm | null } {
  for (const algorithm of suffixes) {
    const suffix = `.${algorithm}`;
    if (fileName.endsWith(suffix) && fileName.length > suffix.length) return { base: fileName.slice(0, -suffix.length), algorithm };
  }
  return { base: fileName, algorithm: null };
}

/**
 * The hex digest of a stored file for `algorithm`: the one recorded with its blob or, when the
 * blob was first stored by a format that did not ask for that digest, computed by streaming it.
 */
export async function fileDigest(store: BlobStore, file: DigestedFile, algorithm: ChecksumAlgorithm): Promise<string> {
  const recorded = algorithm === 'sha256' ? file.sha256 : file[algorithm];
  if (recorded) return recorded;
  const hash = createHash(algorithm);
  for await (const chunk of await store.open(file.sha256)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The hex digest of bytes Kura generates itself (maven-metadata.xml). */
export function digestOf(bytes: Uint8Array, algorithm: ChecksumAlgorithm): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

/**
 * Reads an uploaded checksum file: the hex digest, optionally followed by whitespace and a
 * file name (`sha1sum` style). Returns it in lower case.
 * @throws KuraError BAD_REQUEST when the body is not a digest of the algorithm's length.
 */
export function parseChecksumBody(body: string, algorithm: ChecksumAlgorithm): string {
  const digest = body.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!new RegExp(`^[0-9a-f]{${hexLength[algorithm]}}$`).test(digest)) {
    throw new KuraError('BAD_REQUEST', `a .${algorithm} file must hold a ${hexLength[algorithm]}-digit hex digest`);
  }
  return digest;
}
