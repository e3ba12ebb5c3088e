import { createHash, randomBytes } from 'node:crypto';

/**
 * Personal access tokens look like `kura_` + 30 random base62 characters + a 6-character
 * base62 CRC-32 of the random part, so secret scanners can recognise them and reject typos
 * offline, as GitHub's `ghp_` tokens allow.
 */
export const tokenPrefix = 'kura_';
const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomLength = 30;
const checksumLength = 6;

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function base62(value: number, width: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < width; i++) {
    out = alphabet[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out;
}

/** A new random token string. */
export function generateToken(): string {
  const bytes = randomBytes(randomLength);
  let random = '';
  for (const b of bytes) random += alphabet[b % 62];
  return tokenPrefix + random + base62(crc32(random), checksumLength);
}

/** True when `value` has the token shape and its checksum matches. */
export function isWellFormedToken(value: string): boolean {
  if (value.length !== tokenPrefix.length + randomLength + checksumLength || !value.startsWith(tokenPrefix)) return false;
  const random = value.slice(tokenPrefix.length, tokenPrefix.length + randomLength);
  const checksum = value.slice(tokenPrefix.length + randomLength);
  return /^[0-9A-Za-z]+$/.test(random) && base62(crc32(random), checksumLength) === checksum;
}

/** The digest stored in place of a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
