import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { BlobContent, BlobSlice } from '../core/blobs/blob-reader.js';
import { BufferPool } from './buffer-pool.js';

const MiB = 1024 * 1024;

/** 1 MiB reads: few trips through the thread pool; 16 idle buffers cover 8 concurrent downloads. */
const reads = new BufferPool(MiB, 16);

/**
 * Slices of at least this size read 4 MiB at a time (fewer reads, writes and wake-ups: a
 * 512 MiB blob goes out 10–15 % faster than with 1 MiB), while at most two of them do, so that
 * these buffers hold no more than 16 MiB.
 */
const largeSliceBytes = 32 * MiB;
const largeReads = new BufferPool(4 * MiB, 4, 4);

/** Buffers a download holds at once: one being written, one being read into. */
const buffersPerDownload = 2;

/**
 * Sends a download body with the status and headers already set on `reply` (including
 * `content-length`). A slice is read into pooled buffers, one read ahead of the socket, and its
 * handle is closed in every case. Once the headers are out, a failure (the client went away, a
 * read error) can only end the connection; it is logged, never thrown. A slice is written past
 * Fastify's send path (the reply is hijacked): `onSend` hooks do not see it, while `onResponse`
 * hooks and the request log still do. A redirect answers 307 without a body.
 */
export async function sendBlob(reply: FastifyReply, content: BlobContent): Promise<FastifyReply> {
  if (Buffer.isBuffer(content)) return reply.send(content);
  if ('redirect' in content) return sendRedirect(reply, content.redirect);
  reply.hijack();
  const res = reply.raw;
  try {
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value);
    res.writeHead(reply.statusCode);
    await copySlice(content, res);
    res.end();
  } catch (error) {
    if (!res.destroyed) reply.log.error({ err: error }, 'blob download failed midway');
    res.destroy();
  } finally {
    await content.handle.close();
  }
  return reply;
}

/**
 * Sends the client to a presigned URL of the bytes (which honours the same `Range`). The URL
 * expires within minutes, so the answer is cached briefly and privately.
 */
function sendRedirect(reply: FastifyReply, url: string): FastifyReply {
  for (const name of ['content-length', 'content-range', 'accept-ranges', 'etag', 'last-modified']) reply.removeHeader(name);
  return reply.status(307).header('location', url).header('cache-control', 'private, max-age=60').send();
}

async function copySlice(slice: BlobSlice, res: ServerResponse): Promise<void> {
  const large = slice.length >= largeSliceBytes && largeReads.reserve(buffersPerDownload);
  try {
    await copyThrough(large ? largeReads : reads, slice, res);
  } finally {
    if (large) largeReads.release(buffersPerDownload);
  }
}

async function copyThrough(pool: BufferPool, slice: BlobSlice, res: ServerResponse): Promise<void> {
  const end = slice.start + slice.length;
  let position = slice.start;
  let writing: { buffer: Buffer; done: Promise<void> } | null = null;
  while (position < end) {
    const buffer = pool.take();
    let count: number;
    try {
      count = await slice.handle.read(buffer, Math.min(buffer.length, end - position), position);
      if (count === 0) throw new Error(`blob ended at byte ${position} of ${end}`);
    } catch (error) {
      pool.give(buffer);
      throw error;
    }
    position += count;
    if (writing) {
      await writing.done;
      pool.give(writing.buffer);
    }
    writing = { buffer, done: write(res, buffer.subarray(0, count)) };
  }
  if (writing) {
    await writing.done;
    pool.give(writing.buffer);
  }
}

/**
 * Writes a chunk and resolves once the socket is done with its memory; rejects when the
 * connection closes first (a write to a closed connection never calls back). The rejection
 * counts as handled: the caller reads the next chunk before it awaits this one, and may never
 * await it when that read fails.
 */
function write(res: ServerResponse, chunk: Buffer): Promise<void> {
  const done = new Promise<void>((resolve, reject) => {
    if (res.destroyed) {
      reject(new Error('connection closed'));
      return;
    }
    const onClose = () => reject(new Error('connection closed'));
    res.once('close', onClose);
    res.write(chunk, (error) => {
      res.off('close', onClose);
      if (error) reject(error);
      else resolve();
    });
  });
  done.catch(() => undefined);
  return done;
}
