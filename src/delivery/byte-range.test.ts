import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KuraError } from '../core/errors/catalogue.js';
import { parseRange } from './byte-range.js';

const unsatisfiable = (e: unknown) => e instanceof KuraError && e.code === 'RANGE_NOT_SATISFIABLE' && e.detail?.['size'] === 16;

describe('parseRange', () => {
  it('reads first-last, open-ended and suffix ranges, clamped to the content', () => {
    assert.deepEqual(parseRange('bytes=2-5', 16), { start: 2, end: 5 });
    assert.deepEqual(parseRange('bytes=10-', 16), { start: 10, end: 15 });
    assert.deepEqual(parseRange('bytes=-3', 16), { start: 13, end: 15 });
    assert.deepEqual(parseRange('bytes=-99', 16), { start: 0, end: 15 });
    assert.deepEqual(parseRange('bytes=14-99', 16), { start: 14, end: 15 });
  });

  it('ignores what it does not serve partially: no header, several ranges, other units, garbage', () => {
    for (const header of [undefined, '', 'bytes=0-1,4-5', 'items=0-1', 'bytes=-', 'bytes=a-b']) assert.equal(parseRange(header, 16), null, String(header));
  });

  it('refuses ranges outside the content', () => {
    for (const header of ['bytes=16-', 'bytes=20-30', 'bytes=5-2', 'bytes=-0']) assert.throws(() => parseRange(header, 16), unsatisfiable, header);
    assert.throws(() => parseRange('bytes=0-', 0), (e: unknown) => e instanceof KuraError && e.code === 'RANGE_NOT_SATISFIABLE');
  });
});
