import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rememberParses } from './remembered-parses.js';

describe('rememberParses', () => {
  it('parses each input once, forgets the oldest past the limit, and never remembers long inputs or failures', () => {
    const calls: string[] = [];
    const parse = rememberParses((input) => {
      calls.push(input);
      if (input === 'bad') throw new Error('bad input');
      return { input };
    }, { limit: 2, maxLength: 5 });
    assert.equal(parse('a'), parse('a'), 'the same result is handed out again');
    assert.deepEqual(calls, ['a']);
    parse('b');
    parse('c');
    parse('a');
    assert.deepEqual(calls, ['a', 'b', 'c', 'a'], 'a was forgotten when c came past the limit');
    parse('longer');
    parse('longer');
    assert.equal(calls.filter((c) => c === 'longer').length, 2, 'inputs over maxLength are parsed every time');
    assert.throws(() => parse('bad'), /bad input/);
    assert.throws(() => parse('bad'), /bad input/);
    assert.equal(calls.filter((c) => c === 'bad').length, 2, 'a failed parse is not remembered');
  });
});
