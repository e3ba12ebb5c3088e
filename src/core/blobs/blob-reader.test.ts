import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlobReader, type BlobContent, type BlobSlice } from './blob-reader.js';
import type { BlobStore } from './blob-store.js';

const KiB = 1024;

/** A store of in-memory blobs that counts whole reads and opened handles. */
function storeOf(blobs: Record<string, Buffer>, options: { redirect?: boolean; readDelayMs?: number } = {}) {
  const counts = { reads: 0, handles: 0 };
  const store = {
    read: async (sha256: string) => {
      counts.reads++;
      if (options.readDelayMs) await new Promise((resolve) => setTimeout(resolve, options.readDelayMs));
      const data = blobs[sha256];
      if (!data) throw new Error('no such blob');
      return data;
    },
    openHandle: async (sha256: string) => {
      counts.handles++;
      const data = blobs[sha256]!;
      return { read: async (into: Buffer, length: number, position: number) => data.copy(into, 0, position, position + length), close: async () => {} };
    },
    ...(options.redirect ? { redirectUrl: async (sha256: string) => `https://blobs.example/${sha256}` } : {}),
  } as unknown as BlobStore;
  return { store, counts };
}

/** The bytes of a download served from memory; fails when it is not. */
function inMemory(content: BlobContent): Buffer {
  assert.ok(Buffer.isBuffer(content), 'expected the bytes from memory');
  return content;
}

const limits = { smallBytes: 4 * KiB, hotBytes: 64 * KiB, budgetBytes: 160 * KiB };
const small = Buffer.alloc(2 * KiB, 1);
const large = Buffer.alloc(40 * KiB, 2);
const huge = Buffer.alloc(100 * KiB, 3);

describe('BlobReader', () => {
  it('caches a small blob from its first download, and serves ranges of it', async () => {
    const { store, counts } = storeOf({ s: small });
    const reader = new BlobReader(store, undefined, limits);
    assert.ok(inMemory(await reader.open('s', small.length)).equals(small));
    assert.ok(inMemory(await reader.open('s', small.length, { start: 10, end: 19 })).equals(small.subarray(10, 20)));
    assert.deepEqual(counts, { reads: 1, handles: 0 });
  });

  it('streams a larger blob the first time and serves it from memory from the second download on', async () => {
    const { store, counts } = storeOf({ l: large });
    const reader = new BlobReader(store, undefined, limits);
    const first = (await reader.open('l', large.length)) as BlobSlice;
    assert.equal(first.length, large.length);
    assert.deepEqual(counts, { reads: 0, handles: 1 });
    assert.ok(inMemory(await reader.open('l', large.length)).equals(large));
    assert.ok(inMemory(await reader.open('l', large.length, { start: 100, end: 40959 })).equals(large.subarray(100)));
    assert.deepEqual(counts, { reads: 1, handles: 1 });
  });

  it('always streams a blob above the hot size', async () => {
    const { store, counts } = storeOf({ h: huge });
    const reader = new BlobReader(store, undefined, limits);
    for (let i = 0; i < 3; i++) assert.ok(!Buffer.isBuffer(await reader.open('h', huge.length)));
    assert.deepEqual(counts, { reads: 0, handles: 3 });
  });

  it('redirects a larger blob when the store offers URLs, and keeps small ones in memory', async () => {
    const { store, counts } = storeOf({ l: large, s: small }, { redirect: true });
    const reader = new BlobReader(store, undefined, limits);
    for (let i = 0; i < 2; i++) assert.deepEqual(await reader.open('l', large.length), { redirect: 'https://blobs.example/l' });
    assert.ok(Buffer.isBuffer(await reader.open('s', small.length)));
    assert.ok(Buffer.isBuffer(await reader.open('s', small.length, undefined, { redirect: false })));
    assert.deepEqual(counts, { reads: 1, handles: 0 });
  });

  it('loads a hot blob once for concurrent downloads', async () => {
    const { store, counts } = storeOf({ l: large }, { readDelayMs: 20 });
    const reader = new BlobReader(store, undefined, limits);
    await reader.open('l', large.length);
    const bodies = await Promise.all([0, 1, 2, 3].map(() => reader.open('l', large.length)));
    for (const body of bodies) assert.ok(Buffer.isBuffer(body) && body.equals(large));
    assert.equal(counts.reads, 1);
  });

  it('streams a hot blob while a quarter of the budget is being loaded', async () => {
    const a = Buffer.alloc(30 * KiB, 4);
    const b = Buffer.alloc(30 * KiB, 5);
    const { store, counts } = storeOf({ a, b }, { readDelayMs: 20 });
    const reader = new BlobReader(store, undefined, limits);
    await reader.open('a', a.length);
    await reader.open('b', b.length);
    const [fromA, fromB] = await Promise.all([reader.open('a', a.length), reader.open('b', b.length)]);
    assert.ok(Buffer.isBuffer(fromA));
    assert.ok(!Buffer.isBuffer(fromB), 'the second load would pass 40 KiB in flight');
    assert.ok(Buffer.isBuffer(await reader.open('b', b.length)), 'loaded once the first load is done');
    assert.equal(counts.reads, 2);
  });

  it('keeps the cache within its budget, dropping the least recently used blobs', async () => {
    const blobs = Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`b${i}`, Buffer.alloc(40 * KiB, i)]));
    const { store, counts } = storeOf(blobs);
    const reader = new BlobReader(store, undefined, limits);
    for (const name of Object.keys(blobs)) {
      await reader.open(name, 40 * KiB);
      await reader.open(name, 40 * KiB);
    }
    assert.equal(counts.reads, 5);
    assert.ok(Buffer.isBuffer(await reader.open('b4', 40 * KiB)));
    assert.ok(!Buffer.isBuffer(await reader.open('b0', 40 * KiB)), '160 KiB hold four of the five');
  });

  it('does not cache a blob that failed to load', async () => {
    const { store } = storeOf({});
    const reader = new BlobReader(store, undefined, limits);
    await assert.rejects(reader.open('gone', small.length), /no such blob/);
    await assert.rejects(reader.open('gone', small.length), /no such blob/);
  });
});
