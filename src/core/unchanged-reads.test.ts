import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DataChanges } from './data-changes.js';
import { UnchangedReads } from './unchanged-reads.js';

/** A database whose stamp the test moves. */
class MovableChanges implements DataChanges {
  value: number | null = 1;
  stamp(): number | null {
    return this.value;
  }
  refresh(): void {}
}

describe('UnchangedReads', () => {
  it('reuses a read until the stamp moves, then reads again', async () => {
    const changes = new MovableChanges();
    const reads = new UnchangedReads<string>(changes);
    let count = 0;
    const read = async () => `value ${++count}`;
    assert.equal(await reads.get('a', read), 'value 1');
    assert.equal(await reads.get('a', read), 'value 1');
    assert.equal(await reads.get('b', read), 'value 2', 'each key is read once');
    changes.value = 2;
    assert.equal(await reads.get('a', read), 'value 3', 'a write anywhere makes every key read again');
    assert.equal(await reads.get('a', read), 'value 3');
  });

  it('never keeps a read made while the stamp moved under the earlier stamp', async () => {
    const changes = new MovableChanges();
    const reads = new UnchangedReads<string>(changes);
    assert.equal(await reads.get('a', async () => {
      changes.value = 2;
      return 'old';
    }), 'old');
    assert.equal(await reads.get('a', async () => 'new'), 'new');
  });

  it('reads every time when the database cannot tell', async () => {
    const changes = new MovableChanges();
    changes.value = null;
    const reads = new UnchangedReads<number>(changes);
    let count = 0;
    await reads.get('a', async () => ++count);
    await reads.get('a', async () => ++count);
    assert.equal(count, 2);
  });

  it('holds at most its limit of keys', async () => {
    const reads = new UnchangedReads<string>(new MovableChanges(), 2);
    let count = 0;
    for (const key of ['a', 'b', 'c']) await reads.get(key, async () => `${key}${++count}`);
    assert.equal(await reads.get('c', async () => 'again'), 'c3');
    assert.equal(await reads.get('a', async () => 'again'), 'again', 'the oldest key was dropped');
  });
});
