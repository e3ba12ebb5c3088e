import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { ingestStream } from '../../src/core/blobs/blob-ingest.js';
import type { BlobStore } from '../../src/core/blobs/blob-store.js';
import { KuraError } from '../../src/core/errors/catalogue.js';
import { FsBlobStore } from '../../src/drivers/blob/fs.js';
import { MemoryBlobStore } from '../../src/drivers/blob/memory.js';
import { S3BlobStore } from '../../src/drivers/blob/s3.js';
import { createTestBucket, s3Available } from '../support/test-bucket.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function put(store: BlobStore, data: Buffer): Promise<string> {
  const writer = await store.create();
  await writer.write(data);
  const digest = sha256(data);
  await writer.commit(digest);
  return digest;
}

/** The behaviour every BlobStore driver must show. */
function blobStoreConformance(name: string, make: () => Promise<{ store: BlobStore; cleanup: () => Promise<void> }>) {
  describe(`BlobStore conformance: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    const fresh = async () => {
      const made = await make();
      cleanups.push(made.cleanup);
      return made.store;
    };
    after(async () => {
      for (const c of cleanups) await c();
    });

    it('makes content readable only after commit', async () => {
      const store = await fresh();
      const data = Buffer.from('hello blobs');
      const writer = await store.create();
      await writer.write(data.subarray(0, 5));
      await writer.write(data.subarray(5));
      assert.equal(writer.size, data.length);
      assert.equal(await store.stat(sha256(data)), null);
      await writer.commit(sha256(data));
      assert.deepEqual(await collect(await store.open(sha256(data))), data);
      assert.deepEqual(await store.read(sha256(data)), data);
      assert.equal((await store.stat(sha256(data)))?.size, data.length);
    });

    it('reads staged bytes back at any position before commit, and nothing is visible meanwhile', async () => {
      const store = await fresh();
      const writer = await store.create();
      await writer.write(Buffer.from('0123456789'));
      await writer.write(Buffer.from('abcdef'));
      const into = Buffer.alloc(6);
      assert.equal(await writer.read(into, 6, 8), 6);
      assert.equal(into.toString(), '89abcd');
      assert.equal(await writer.read(into, 6, 14), 2);
      assert.equal(into.subarray(0, 2).toString(), 'ef');
      assert.equal(await writer.read(into, 6, 16), 0);
      const listed = [];
      for await (const info of store.list()) listed.push(info);
      assert.equal(listed.length, 0, 'staged bytes are not a blob');
      await writer.cancel();
    });

    it('discards cancelled writes', async () => {
      const store = await fresh();
      const data = Buffer.from('never committed');
      const writer = await store.create();
      await writer.write(data);
      await writer.cancel();
      assert.equal(await store.stat(sha256(data)), null);
      const listed = [];
      for await (const info of store.list()) listed.push(info);
      assert.equal(listed.length, 0);
    });

    it('reads an inclusive byte range', async () => {
      const store = await fresh();
      const data = Buffer.from('0123456789abcdef');
      const digest = await put(store, data);
      assert.equal((await collect(await store.open(digest, { start: 3, end: 7 }))).toString(), '34567');
      assert.equal((await collect(await store.open(digest, { start: 15, end: 15 }))).toString(), 'f');
    });

    it('reads at positions through a handle, short at the end and 0 past it', async () => {
      const store = await fresh();
      const data = Buffer.from('0123456789abcdef');
      const digest = await put(store, data);
      const handle = await store.openHandle(digest);
      const into = Buffer.alloc(8, 0x2e);
      assert.equal(await handle.read(into, 4, 2), 4);
      assert.equal(into.toString(), '2345....');
      assert.equal(await handle.read(into, 8, 12), 4);
      assert.equal(into.subarray(0, 4).toString(), 'cdef');
      assert.equal(await handle.read(into, 8, 16), 0);
      await handle.close();
      await handle.close();
      await assert.rejects(store.openHandle(sha256(Buffer.from('absent'))), (e: unknown) => e instanceof KuraError && e.code === 'NOT_FOUND');
    });

    it('stores identical content once and touches it on a second commit', async () => {
      const store = await fresh();
      const data = Buffer.from('dedupe me');
      const digest = await put(store, data);
      const before = (await store.stat(digest))!.modifiedAt.getTime();
      await new Promise((r) => setTimeout(r, 15));
      await put(store, data);
      const listed = [];
      for await (const info of store.list()) listed.push(info.sha256);
      assert.deepEqual(listed, [digest]);
      assert.ok((await store.stat(digest))!.modifiedAt.getTime() >= before);
    });

    it('answers NOT_FOUND for a missing blob and deletes idempotently', async () => {
      const store = await fresh();
      const missing = sha256(Buffer.from('missing'));
      await assert.rejects(store.open(missing), (e: unknown) => e instanceof KuraError && e.code === 'NOT_FOUND');
      await assert.rejects(store.read(missing), (e: unknown) => e instanceof KuraError && e.code === 'NOT_FOUND');
      const digest = await put(store, Buffer.from('short-lived'));
      await store.delete(digest);
      await store.delete(digest);
      assert.equal(await store.stat(digest), null);
    });

    it('refuses keys that are not sha256 hex (no path tricks)', async () => {
      const store = await fresh();
      await assert.rejects(store.open('../../etc/passwd'));
      const writer = await store.create();
      await writer.write(Buffer.from('x'));
      await assert.rejects(writer.commit('../escape'));
      await writer.cancel();
    });

    it('keeps the order of many odd-sized writes whose buffer the caller reuses, read back across them before commit', async () => {
      const store = await fresh();
      const data = randomBytes(3 * 1024 * 1024 + 12345);
      const writer = await store.create();
      const reused = Buffer.alloc(70_001);
      for (let offset = 0; offset < data.length; offset += reused.length) {
        const length = Math.min(reused.length, data.length - offset);
        data.copy(reused, 0, offset, offset + length);
        await writer.write(reused.subarray(0, length));
        reused.fill(0);
      }
      assert.equal(writer.size, data.length);
      const into = Buffer.alloc(300_000);
      const position = 1024 * 1024 - 150_000;
      assert.equal(await writer.read(into, into.length, position), into.length);
      assert.deepEqual(into, data.subarray(position, position + into.length));
      await writer.commit(sha256(data));
      assert.deepEqual(await store.read(sha256(data)), data);
    });

    it('streams a large blob through ingest without changing a byte', async () => {
      const store = await fresh();
      const chunk = Buffer.alloc(1024 * 1024, 7);
      const source = Readable.from((function* () {
        for (let i = 0; i < 8; i++) yield chunk;
      })());
      const staged = await ingestStream(store, source, { extraDigests: ['sha512', 'sha1', 'md5'] });
      await staged.commit();
      const whole = Buffer.concat(Array.from({ length: 8 }, () => chunk));
      assert.equal(staged.size, whole.length);
      assert.equal(staged.sha256, sha256(whole));
      assert.equal(staged.digests.md5, createHash('md5').update(whole).digest('hex'));
      assert.equal((await store.stat(staged.sha256))?.size, whole.length);
    });

    it('appends a resumable upload over several calls and commits it as a blob', async () => {
      const store = await fresh();
      const id = await store.uploads.start();
      assert.equal(await store.uploads.size(id), 0);
      assert.equal(await store.uploads.append(id, 0, Readable.from([Buffer.from('hello ')])), 6);
      assert.equal(await store.uploads.append(id, 6, Readable.from([Buffer.from('resum'), Buffer.from('able')])), 15);
      assert.equal((await collect(await store.uploads.read(id))).toString(), 'hello resumable');
      const listed = [];
      for await (const info of store.uploads.list()) listed.push(info);
      assert.deepEqual(listed.map((u) => [u.id, u.size]), [[id, 15]]);
      const digest = sha256(Buffer.from('hello resumable'));
      await store.uploads.commit(id, digest);
      assert.equal((await store.read(digest)).toString(), 'hello resumable');
      assert.equal(await store.uploads.size(id), null);
    });

    it('refuses a resumable append that does not start at the end, keeping the bytes', async () => {
      const store = await fresh();
      const id = await store.uploads.start();
      await store.uploads.append(id, 0, Readable.from([Buffer.from('abc')]));
      await assert.rejects(store.uploads.append(id, 1, Readable.from([Buffer.from('x')])), (e: unknown) => e instanceof KuraError && e.code === 'RANGE_NOT_SATISFIABLE');
      await assert.rejects(store.uploads.append(id, 4, Readable.from([Buffer.from('x')])), (e: unknown) => e instanceof KuraError && e.code === 'RANGE_NOT_SATISFIABLE');
      assert.equal(await store.uploads.size(id), 3);
      await store.uploads.cancel(id);
      assert.equal(await store.uploads.size(id), null);
    });

    it('keeps what arrived before a resumable source failed', async () => {
      const store = await fresh();
      const id = await store.uploads.start();
      const failing = (async function* () {
        yield Buffer.from('kept');
        throw new Error('connection reset');
      })();
      await assert.rejects(store.uploads.append(id, 0, failing), /connection reset/);
      assert.equal(await store.uploads.size(id), 4);
      assert.equal(await store.uploads.append(id, 4, Readable.from([Buffer.from('!')])), 5);
      await store.uploads.cancel(id);
    });

    it('treats unknown or malformed upload ids as absent', async () => {
      const store = await fresh();
      const unknown = '00000000-0000-4000-8000-000000000000';
      assert.equal(await store.uploads.size(unknown), null);
      assert.equal(await store.uploads.size('../../etc/passwd'), null);
      await assert.rejects(store.uploads.append(unknown, 0, Readable.from([Buffer.from('x')])), (e: unknown) => e instanceof KuraError && e.code === 'NOT_FOUND');
      await assert.rejects(store.uploads.append('../x', 0, Readable.from([Buffer.from('x')])), (e: unknown) => e instanceof KuraError && e.code === 'NOT_FOUND');
      await assert.rejects(store.uploads.commit(unknown, sha256(Buffer.from('x'))), (e: unknown) => e instanceof KuraError && e.code === 'NOT_FOUND');
      await store.uploads.cancel(unknown);
      await store.uploads.cancel('../x');
    });

    it('commits a resumable upload of content already stored by touching the blob', async () => {
      const store = await fresh();
      const data = Buffer.from('twice');
      const digest = await put(store, data);
      const id = await store.uploads.start();
      await store.uploads.append(id, 0, Readable.from([data]));
      await store.uploads.commit(id, digest);
      const listed = [];
      for await (const info of store.list()) listed.push(info.sha256);
      assert.deepEqual(listed, [digest]);
      assert.equal(await store.uploads.size(id), null);
    });

    it('stops an ingest past its size limit and keeps nothing', async () => {
      const store = await fresh();
      const source = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
      await assert.rejects(ingestStream(store, source, { maxBytes: 1000 }), (e: unknown) => e instanceof KuraError && e.code === 'PAYLOAD_TOO_LARGE');
      const listed = [];
      for await (const info of store.list()) listed.push(info);
      assert.equal(listed.length, 0);
    });
  });
}

blobStoreConformance('memory', async () => ({ store: new MemoryBlobStore(), cleanup: async () => undefined }));

blobStoreConformance('fs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kura-blobs-'));
  const store = await new FsBlobStore(dir).init();
  return {
    store,
    cleanup: async () => {
      assert.deepEqual(await readdir(join(dir, 'uploads')), [], 'no upload temp files are left behind');
      assert.deepEqual(await readdir(join(dir, 'resumable')), [], 'no resumable uploads are left behind');
      await rm(dir, { recursive: true, force: true });
    },
  };
});

if (s3Available) {
  blobStoreConformance('s3', async () => {
    const bucket = await createTestBucket();
    const stagingDir = await mkdtemp(join(tmpdir(), 'kura-s3-staging-'));
    const store = new S3BlobStore(bucket.settings, { stagingDir });
    return {
      store,
      cleanup: async () => {
        assert.deepEqual(await readdir(stagingDir), [], 'no staged files are left behind');
        assert.deepEqual(await bucket.keys('uploads/'), [], 'no resumable uploads are left behind');
        await rm(stagingDir, { recursive: true, force: true });
        await bucket.drop();
      },
    };
  });
}

describe('FsBlobStore resumable uploads across restarts', () => {
  it('resumes an upload from a new store instance over the same directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kura-blobs-'));
    try {
      const before = await new FsBlobStore(dir).init();
      const id = await before.uploads.start();
      await before.uploads.append(id, 0, Readable.from([Buffer.from('first half, ')]));
      const after = await new FsBlobStore(dir).init();
      assert.equal(await after.uploads.size(id), 12);
      await after.uploads.append(id, 12, Readable.from([Buffer.from('second half')]));
      const data = Buffer.from('first half, second half');
      assert.deepEqual(await collect(await after.uploads.read(id)), data);
      await after.uploads.commit(id, sha256(data));
      assert.deepEqual(await after.read(sha256(data)), data);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
