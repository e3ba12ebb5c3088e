import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ifNoneMatch } from './conditional.js';

describe('ifNoneMatch', () => {
  it('compares weakly, in lists, with * and with a bare tag', () => {
    const etag = '"abc"';
    for (const header of ['"abc"', 'W/"abc"', 'abc', '"x", "abc"', '"x",W/"abc"', '*', ['"x"', '"abc"']]) assert.equal(ifNoneMatch(header, etag), true, String(header));
    for (const header of [undefined, '', '"abcd"', '"ab"', 'W/"x"']) assert.equal(ifNoneMatch(header, etag), false, String(header));
  });
});
