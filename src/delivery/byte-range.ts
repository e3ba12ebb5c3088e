import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ByteRange } from '../core/blobs/blob-store.js';
import { KuraError } from '../core/errors/catalogue.js';

/**
 * Parses a single-range `Range: bytes=…` header against content of `size` bytes: null means
 * "send it all" (no header, or a form Kura does not serve partially, like several ranges; RFC
 * 9110 lets a server ignore those).
 * @throws KuraError RANGE_NOT_SATISFIABLE when the range lies outside the content.
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

function unsatisfiable(size: number): KuraError {
  return new KuraError('RANGE_NOT_SATISFIABLE', `the requested range is not within the content's ${size} bytes`, { size });
}

/**
 * Decides what part of a download of `size` bytes to send and sets the headers for it:
 * `Accept-Ranges`, then for a satisfiable single range (and an `If-Range` that matches the
 * reply's `ETag`, when sent) status 206, `Content-Range` and its `Content-Length`, returning the
 * range; otherwise the whole `Content-Length`, returning undefined.
 * @throws KuraError RANGE_NOT_SATISFIABLE, after setting `Content-Range: bytes *\/size`.
 */
export function prepareRange(request: FastifyRequest, reply: FastifyReply, size: number): ByteRange | undefined {
  reply.header('accept-ranges', 'bytes');
  const ifRange = request.headers['if-range'];
  let range: ByteRange | null = null;
  if (ifRange === undefined || ifRange === reply.getHeader('etag')) {
    try {
      range = parseRange(request.headers.range, size);
    } catch (error) {
      reply.header('content-range', `bytes */${size}`);
      throw error;
    }
  }
  if (!range) {
    reply.header('content-length', size);
    return undefined;
  }
  reply.status(206);
  reply.header('content-range', `bytes ${range.start}-${range.end}/${size}`);
  reply.header('content-length', range.end - range.start + 1);
  return range;
}

/** True when a download sends its content from the first byte: the one a resumed download is not. */
export function startsAtFirstByte(range: ByteRange | undefined): boolean {
  return range === undefined || range.start === 0;
}
