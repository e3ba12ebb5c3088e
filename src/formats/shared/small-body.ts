import { KuraError } from '../../core/errors/catalogue.js';

/**
 * Reads a small request body (a checksum file, a form, a dist-tag value) fully as UTF-8 text.
 * @throws KuraError PAYLOAD_TOO_LARGE past `limit` bytes.
 */
export async function readSmallText(source: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > limit) throw new KuraError('PAYLOAD_TOO_LARGE', `the request body exceeds ${limit} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}
