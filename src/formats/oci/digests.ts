import { createHash } from 'node:crypto';
import { ociError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

/** A content digest `algorithm:hex` of one of the algorithms Kura verifies. */
export interface Digest {
  algorithm: DigestAlgorithm;
  hex: string;
  /** `algorithm:hex` */
  text: string;
}

const hexLength: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

/** Parses `sha256:<64 hex>` or `sha512:<128 hex>` (lower-case), or returns null. */
export function parseDigest(text: string): Digest | null {
  const colon = text.indexOf(':');
  if (colon === -1) return null;
  const algorithm = text.slice(0, colon);
  const hex = text.slice(colon + 1);
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return null;
  if (hex.length !== hexLength[algorithm] || !/^[0-9a-f]+$/.test(hex)) return null;
  return { algorithm, hex, text };
}

/** Like {@link parseDigest}. @throws KuraError DIGEST_INVALID */
export function requireDigest(text: string | undefined, what: string): Digest {
  const digest = text === undefined ? null : parseDigest(text);
  if (!digest) throw ociError('DIGEST_INVALID', `${what} must be a digest sha256:<64 hex> or sha512:<128 hex>, not "${text ?? ''}"`);
  return digest;
}

/** Whether `text` looks like `algorithm:encoded` (a digest reference rather than a tag). */
export function looksLikeDigest(text: string): boolean {
  return text.includes(':');
}

/** The digest of `data` with `algorithm`. */
export function digestOf(algorithm: DigestAlgorithm, data: Uint8Array): Digest {
  const hex = createHash(algorithm).update(data).digest('hex');
  return { algorithm, hex, text: `${algorithm}:${hex}` };
}
