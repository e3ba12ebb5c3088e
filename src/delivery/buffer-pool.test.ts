import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferPool } from './buffer-pool.js';

describe('BufferPool', () => {
  it('hands out buffers of its size and reuses those given back', () => {
    const pool = new BufferPool(1024, 2);
    const a = pool.take();
    assert.equal(a.length, 1024);
    pool.give(a);
    assert.equal(pool.take(), a);
  });

  it('keeps no more idle buffers than its bound', () => {
    const pool = new BufferPool(16, 1);
    const [a, b] = [pool.take(), pool.take()];
    pool.give(a);
    pool.give(b);
    assert.equal(pool.take(), a);
    assert.notEqual(pool.take(), b);
  });

  it('grants reservations up to its bound and again once released', () => {
    const pool = new BufferPool(16, 4, 4);
    assert.equal(pool.reserve(2), true);
    assert.equal(pool.reserve(2), true);
    assert.equal(pool.reserve(2), false);
    pool.release(2);
    assert.equal(pool.reserve(2), true);
    pool.release(2);
    pool.release(2);
    pool.release(2);
    assert.equal(pool.reserve(4), true);
    assert.equal(pool.reserve(1), false);
  });

  it('grants every reservation without a bound', () => {
    const pool = new BufferPool(16, 4);
    for (let i = 0; i < 100; i++) assert.equal(pool.reserve(2), true);
  });
});
