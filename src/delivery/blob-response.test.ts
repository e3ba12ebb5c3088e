import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BlobContent } from '../core/blobs/blob-reader.js';
import type { BlobHandle } from '../core/blobs/blob-store.js';
import { sendBlob } from './blob-response.js';

const data = randomBytes(3 * 1024 * 1024 + 12345);

/** A handle over `bytes` that records its closing, can fail at a position and can read slowly. */
function handleOver(bytes: Buffer, failAt = Infinity, delayMs = 0) {
  const state = { closed: 0 };
  const handle: BlobHandle = {
    read: async (into, length, position) => {
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (position >= failAt) throw new Error('disk went away');
      return position >= bytes.length ? 0 : bytes.copy(into, 0, position, Math.min(position + length, bytes.length));
    },
    close: async () => {
      state.closed++;
    },
  };
  return { handle, state };
}

describe('sendBlob', () => {
  let app: FastifyInstance;
  let origin: string;
  const opened: Array<{ closed: number }> = [];
  let failAt = Infinity;
  let delayMs = 0;
  let body: Buffer = data;

  before(async () => {
    app = Fastify();
    app.get('/blob', async (req, reply) => {
      const range = req.headers.range ? /^bytes=(\d+)-(\d+)$/.exec(req.headers.range) : null;
      const { handle, state } = handleOver(body, failAt, delayMs);
      opened.push(state);
      const start = range ? Number(range[1]) : 0;
      const length = range ? Number(range[2]) - start + 1 : body.length;
      reply.header('content-type', 'application/octet-stream').header('content-length', length).header('x-kept', 'yes');
      if (range) reply.status(206);
      const content: BlobContent = { handle, start, length };
      return sendBlob(reply, content);
    });
    app.get('/small', async (_req, reply) => sendBlob(reply, Buffer.from('tiny')));
    await app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(() => app.close());

  it('streams a slice larger than its buffers byte for byte, with the headers set on the reply', async () => {
    failAt = Infinity;
    body = data;
    const res = await fetch(`${origin}/blob`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-kept'), 'yes');
    assert.equal(res.headers.get('content-length'), String(data.length));
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(data));
    assert.equal(opened.at(-1)!.closed, 1);
  });

  it('sends a range that starts and ends inside buffers', async () => {
    failAt = Infinity;
    const res = await fetch(`${origin}/blob`, { headers: { range: 'bytes=1048000-2100000' } });
    assert.equal(res.status, 206);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(data.subarray(1048000, 2100001)));
    assert.equal(opened.at(-1)!.closed, 1);
  });

  it('sends one connection after another without mixing buffers', async () => {
    failAt = Infinity;
    const bodies = await Promise.all([0, 1, 2, 3].map(async () => Buffer.from(await (await fetch(`${origin}/blob`)).arrayBuffer())));
    for (const received of bodies) assert.ok(received.equals(data));
  });

  it('streams large slices at once byte for byte, whether they read 4 MiB or 1 MiB at a time', async () => {
    failAt = Infinity;
    const large = randomBytes(33 * 1024 * 1024 + 777);
    body = large;
    try {
      const bodies = await Promise.all([0, 1, 2].map(async () => Buffer.from(await (await fetch(`${origin}/blob`)).arrayBuffer())));
      for (const received of bodies) assert.ok(received.equals(large));
      const res = await fetch(`${origin}/blob`, { headers: { range: 'bytes=4194000-33554500' } });
      assert.equal(res.status, 206);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(large.subarray(4194000, 33554501)));
    } finally {
      body = data;
    }
  });

  it('sends an in-memory body as it is', async () => {
    const res = await fetch(`${origin}/small`);
    assert.equal(await res.text(), 'tiny');
  });

  it('ends the connection and closes the handle when a read fails midway', async () => {
    failAt = 2 * 1024 * 1024;
    const outcome = await new Promise<{ received: number; error: string }>((resolve) => {
      let received = 0;
      request(`${origin}/blob`, (res) => {
        res.on('data', (chunk: Buffer) => (received += chunk.length));
        res.on('error', (error) => resolve({ received, error: error.message }));
        res.on('end', () => resolve({ received, error: 'none' }));
      }).end();
    });
    assert.ok(outcome.received < data.length, `received ${outcome.received} of ${data.length}`);
    assert.notEqual(outcome.error, 'none');
    await waitFor(() => opened.at(-1)!.closed === 1);
  });

  it('closes the handle when the client goes away, also while a read is pending', async () => {
    failAt = Infinity;
    delayMs = 30;
    body = Buffer.concat([data, data, data, data, data, data, data, data]);
    await new Promise<void>((resolve) => {
      const req = request(`${origin}/blob`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end();
    });
    await waitFor(() => opened.at(-1)!.closed === 1);
    delayMs = 0;
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), 'condition not reached in 2 s');
}
