import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalMavenVersion, compareMavenVersions } from './comparable-version.js';

// Expected orders and equalities checked against Maven 3.8.7's own ComparableVersion.

function assertAscending(versions: readonly string[]): void {
  for (let i = 0; i < versions.length; i++) {
    for (let j = i + 1; j < versions.length; j++) {
      assert.ok(compareMavenVersions(versions[i]!, versions[j]!) < 0, `${versions[i]} < ${versions[j]}`);
      assert.ok(compareMavenVersions(versions[j]!, versions[i]!) > 0, `${versions[j]} > ${versions[i]}`);
    }
  }
}

function assertEqual(a: string, b: string): void {
  assert.equal(compareMavenVersions(a, b), 0, `${a} == ${b}`);
  assert.equal(compareMavenVersions(b, a), 0, `${b} == ${a}`);
  assert.equal(canonicalMavenVersion(a), canonicalMavenVersion(b), `canonical ${a} and ${b}`);
}

describe('Maven ComparableVersion', () => {
  it('orders qualifiers: alpha < beta < milestone < rc < snapshot < release < sp < unknown < numbers', () => {
    assertAscending([
      '1-alpha2snapshot', '1-alpha2', '1-alpha-123', '1-beta-2', '1-beta123', '1-m2', '1-m11', '1-rc', '1-cr2',
      '1-rc123', '1-SNAPSHOT', '1', '1-sp', '1-sp2', '1-sp123', '1-abc', '1-def', '1-pom-1', '1-1-snapshot',
      '1-1', '1-2', '1-123',
    ]);
  });

  it('orders numbers and mixed components', () => {
    assertAscending([
      '2.0', '2.0.a', '2-1', '2.0.2', '2.0.123', '2.1.0', '2.1-a', '2.1b', '2.1-c', '2.1-1', '2.1.0.1', '2.2',
      '2.123', '11.a2', '11.a11', '11.b2', '11.b11', '11.m2', '11.m11', '11', '11.a', '11b', '11c', '11m',
    ]);
  });

  it('treats padding zeros, separators and release aliases as equal', () => {
    for (const [a, b] of [
      ['1', '1.0'], ['1', '1.0.0'], ['1.0', '1.0.0'], ['1', '1-0'], ['1', '1.0-0'], ['1.0', '1.0-0'],
      ['1a', '1-a'], ['1a', '1.0-a'], ['1a', '1.0.0-a'], ['1.0a', '1-a'], ['1.0.0a', '1-a'], ['1a', '1.a'],
      ['1x', '1-x'], ['1x', '1.0-x'], ['1.0.0x', '1-x'],
      ['1ga', '1'], ['1release', '1'], ['1final', '1'], ['1cr', '1rc'], ['1.0.0-GA', '1'], ['1.2.3.Final', '1.2.3'],
      ['1a1', '1-alpha-1'], ['1b2', '1-beta-2'], ['1m3', '1-milestone-3'],
      ['1X', '1x'], ['1A', '1a'], ['1RELeaSE', '1'], ['1FINAL', '1'], ['1cR', '1rC'], ['1m3', '1MILESTONE3'],
      ['1-abcdefghijklmnopqrstuvwxyz', '1-ABCDEFGHIJKLMNOPQRSTUVWXYZ'],
      ['0000000000000000001', '1'], ['0000000000000000000', '0'], ['007', '7'],
    ] as const) assertEqual(a, b);
  });

  it('places snapshots below their release and above its pre-releases', () => {
    assertAscending(['1.0-alpha-1', '1.0-alpha-2', '1.0-beta-1', '1.0-RC2', '1.0-SNAPSHOT', '1.0', '1.0-1', '1.0-2', '1.0.1-SNAPSHOT', '1.0.1']);
    assertAscending(['1.0-alpha-1-SNAPSHOT', '1.0-alpha-1']);
    assertAscending(['2.0-1', '2.0.1', '2.0.1-klm', '2.0.1-lmn', '2.0.1-xyz', '2.0.1-123']);
  });

  it('is transitive on MNG-5568 and MNG-6964 edge cases and handles huge numbers', () => {
    assertAscending(['6.1.0rc3', '6.1.0', '6.1H.5-beta']);
    assertAscending(['1-0.alpha', '1-0.beta', '1']);
    assertAscending(['20190126.230843', '1234567890.12345', '123456789012345.1H.5-beta', '12345678901234567890.1H.5-beta']);
  });

  it('spells canonical forms like Maven', () => {
    assert.equal(canonicalMavenVersion('1.0-RC1'), '1-rc-1');
    assert.equal(canonicalMavenVersion('1.0-SNAPSHOT'), '1-snapshot');
    assert.equal(canonicalMavenVersion('1.0.0a'), '1-a');
    assert.equal(canonicalMavenVersion('2.1.0.1'), '2.1.0.1');
  });

  it('sorts a list the way a Maven repository lists versions', () => {
    const versions = ['1.10', '1.2', '1.0-SNAPSHOT', '1.0', '1.0-beta-1', '1.9.9'];
    assert.deepEqual([...versions].sort(compareMavenVersions), ['1.0-beta-1', '1.0-SNAPSHOT', '1.0', '1.2', '1.9.9', '1.10']);
  });
});
