import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ByteRange } from '../../../core/blobs/blob-store.js';
import { effectiveVisibility } from '../../../core/packages/package.js';
import { sendBlob } from '../../../http/blob-response.js';
import { parseDigest } from '../digests.js';
import { ociError } from '../errors.js';
import { authorizedTarget, type RegistryContext } from './registry-context.js';

/**
 * Parses a single-range `Range: bytes=…` header against a blob of `size` bytes: null means
 * "send it all" (no header, or a form Kura does not serve partially, like several ranges).
 * @throws KuraError RANGE_NOT_SATISFIABLE when the range lies outside the blob.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) throw unsatisfiable(size);
    start = Math.max(size - suffix, 0);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) throw unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number) {
  return ociError('BLOB_UNKNOWN', `the requested range is not within the blob's ${size} bytes`, { size }, 'RANGE_NOT_SATISFIABLE');
}

/** GET and HEAD `/v2/NAME/blobs/DIGEST`, with single byte ranges. */
export async function getBlob(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string, reference: string) {
  const { image, key } = await authorizedTarget(rc, request, name, 'pull');
  const digest = parseDigest(reference);
  if (!digest) throw ociError('DIGEST_INVALID', `"${reference}" is not a digest`, { digest: reference });
  const blob = await rc.links.find(key, digest.text);
  const info = blob ? await rc.core.deps.blobs.stat(blob.sha256) : null;
  if (!blob || !info) throw ociError('BLOB_UNKNOWN', `blob ${digest.text} is not in ${image.name.full}`, { digest: digest.text });
  reply.header('docker-content-digest', digest.text);
  reply.header('etag', `"${digest.text}"`);
  reply.header('accept-ranges', 'bytes');
  reply.header('cache-control', image.pkg && effectiveVisibility(image.pkg) === 'public' ? 'public, max-age=31536000, immutable' : 'private, max-age=31536000, immutable');
  reply.type('application/octet-stream');
  let range: ByteRange | null;
  try {
    range = parseRange(request.headers.range, info.size);
  } catch (error) {
    reply.header('content-range', `bytes */${info.size}`);
    throw error;
  }
  if (range) {
    reply.status(206);
    reply.header('content-range', `bytes ${range.start}-${range.end}/${info.size}`);
    reply.header('content-length', range.end - range.start + 1);
    if (request.method === 'HEAD') return reply.send();
    return sendBlob(reply, await rc.reader.open(blob.sha256, info.size, range));
  }
  reply.header('content-length', info.size);
  if (request.method === 'HEAD') return reply.send();
  return sendBlob(reply, await rc.reader.open(blob.sha256, info.size));
}

/** DELETE `/v2/NAME/blobs/DIGEST`: removes the blob from the image (bytes go at the next GC). */
export async function deleteBlob(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string, reference: string) {
  const { image, key } = await authorizedTarget(rc, request, name, 'delete');
  const digest = parseDigest(reference);
  if (!digest) throw ociError('DIGEST_INVALID', `"${reference}" is not a digest`, { digest: reference });
  if (!(await rc.links.unlink(key, digest.text))) throw ociError('BLOB_UNKNOWN', `blob ${digest.text} is not in ${image.name.full}`, { digest: digest.text });
  return reply.status(202).header('content-length', 0).send();
}
