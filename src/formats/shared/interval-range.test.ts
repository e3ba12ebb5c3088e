import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inIntervals, parseIntervals } from './interval-range.js';

const numeric = (v: string) => /^\d+(\.\d+)*$/.test(v);
const compare = (a: string, b: string) => {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};
const admits = (range: string, version: string, bare: 'exact' | 'minimum' = 'exact') => inIntervals(parseIntervals(range, bare, numeric)!, version, compare);

describe('interval ranges (Maven VersionRange, NuGet VersionRange)', () => {
  it('follows the bracket rules of both documentations', () => {
    // Maven's "Dependency Version Requirement Specification" and NuGet's "Version ranges" tables.
    assert.equal(admits('[1.0,2.0)', '1.0'), true);
    assert.equal(admits('[1.0,2.0)', '1.9.9'), true);
    assert.equal(admits('[1.0,2.0)', '2.0'), false);
    assert.equal(admits('(1.0,2.0]', '1.0'), false);
    assert.equal(admits('(1.0,2.0]', '2.0'), true);
    assert.equal(admits('(,1.0]', '0.1'), true);
    assert.equal(admits('(,1.0]', '1.1'), false);
    assert.equal(admits('[1.5,)', '99'), true);
    assert.equal(admits('[1.5,)', '1.4'), false);
    assert.equal(admits('[1.0]', '1.0'), true);
    assert.equal(admits('[1.0]', '1.0.1'), false);
    assert.equal(admits('(,1.0],[1.2,)', '1.1'), false, 'between two intervals');
    assert.equal(admits('(,1.0],[1.2,)', '1.2'), true);
    assert.equal(admits('(,1.1),(1.1,)', '1.1'), false, 'Maven: everything but 1.1');
    assert.equal(admits('1.0', '1.0'), true, 'Maven: a bare version in an advisory is that version');
    assert.equal(admits('1.0', '1.1'), false);
    assert.equal(admits('1.0', '1.1', 'minimum'), true, 'NuGet: a bare version is a minimum');
    assert.equal(admits('1.0', '0.9', 'minimum'), false);
    assert.equal(admits(' [ 1.0 , 2.0 ) ', '1.5'), true, 'whitespace is ignored');
  });

  it('refuses what is not a range', () => {
    for (const bad of ['', '[', '[1.0', '1.0,2.0', '[1.0,2.0', '[,]', '[1.0,2.0,3.0]', '(1.0)', '[1.0,2.0)x', '[a,b]', '[1.0,2.0)[3.0,)']) {
      assert.equal(parseIntervals(bad, 'exact', numeric), null, bad);
    }
  });
});
