import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareGemVersions, isPrereleaseVersion, parseGemVersion } from './gem-version.js';

describe('RubyGems versions', () => {
  it('accepts what gem build writes and refuses the rest', () => {
    for (const ok of ['1', '1.0.0', '2.1.0.pre.1', '1.0.0.rc2', '0.9-rc1', '10.20.30']) assert.equal(parseGemVersion(ok), ok);
    for (const bad of ['', 'v1.0', '1.0.', '.1', '1..0', '1.0 ', '1.0/2', '../1', 'a'.repeat(200)]) {
      assert.throws(() => parseGemVersion(bad), { code: 'INVALID_VERSION' }, bad);
    }
  });

  it('orders like Gem::Version', () => {
    const sorted = ['0.9', '1.0.a', '1.0.b1', '1.0.pre', '1.0', '1.0.1', '1.1.rc1', '1.1', '1.10', '2'];
    const shuffled = [...sorted].reverse();
    assert.deepEqual(shuffled.sort(compareGemVersions), sorted);
    assert.equal(compareGemVersions('1.0', '1.0.0'), 0);
    assert.equal(compareGemVersions('1.0.0-rc1', '1.0.0.pre.rc1'), 0);
  });

  it('knows prereleases by their letters', () => {
    assert.equal(isPrereleaseVersion('1.0.0.pre'), true);
    assert.equal(isPrereleaseVersion('1.0.0'), false);
  });
});
