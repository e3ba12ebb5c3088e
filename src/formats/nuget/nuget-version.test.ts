import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KuraError } from '../../core/errors/catalogue.js';
import {
  compareNuGetVersions,
  fullNuGetVersion,
  isPrereleaseNuGet,
  normalizeNuGetVersion,
  parseNuGetVersion,
  semVerLevel,
} from './nuget-version.js';

const invalidVersion = (error: unknown) => error instanceof KuraError && error.code === 'INVALID_VERSION';

describe('NuGet versions', () => {
  it('parses 1 to 4 numeric parts, release labels and metadata', () => {
    assert.deepEqual(parseNuGetVersion('1'), { major: 1, minor: 0, patch: 0, revision: 0, release: [], metadata: null, original: '1' });
    assert.deepEqual(parseNuGetVersion('1.2.3.4-Beta.1+git.abc'), {
      major: 1, minor: 2, patch: 3, revision: 4, release: ['Beta', '1'], metadata: 'git.abc', original: '1.2.3.4-Beta.1+git.abc',
    });
    assert.deepEqual(parseNuGetVersion('1.0.0-beta-2').release, ['beta-2']);
    assert.deepEqual(parseNuGetVersion('1.0.0+meta-data').release, []);
    assert.equal(parseNuGetVersion('1.0.0+meta-data').metadata, 'meta-data');
    assert.equal(parseNuGetVersion('2147483647.0').major, 2147483647);
  });

  it('refuses what NuGet refuses', () => {
    const bad = [
      '', ' 1.0.0', '1.0.0 ', '1.0 .0', 'v1.0.0', '1.2.3.4.5', '1.0.0-', '1.0.0-beta..1', '1.0.0-.beta', '1.0.0-beta.',
      '1.0.0+', '1.0.0+a..b', '1..0', '.1', '1.', '1.0.0-be_ta', '1.0.0-bèta', '1.0.0-01', '2147483648.0.0', '-1.0', 'a.b.c',
      `1.0.0-${'a'.repeat(123)}`,
    ];
    for (const text of bad) assert.throws(() => parseNuGetVersion(text), invalidVersion, JSON.stringify(text));
    assert.doesNotThrow(() => parseNuGetVersion(`1.0.0-${'a'.repeat(122)}`));
    assert.doesNotThrow(() => parseNuGetVersion('1.0.0-0.beta'));
    assert.doesNotThrow(() => parseNuGetVersion('1.0.0-beta01+007'));
  });

  it('normalizes as NuGet does in URLs and identity', () => {
    assert.equal(normalizeNuGetVersion('01.002.0003.0'), '1.2.3');
    assert.equal(normalizeNuGetVersion('1.0.0.4'), '1.0.0.4');
    assert.equal(normalizeNuGetVersion('1.0-Beta.1+git'), '1.0.0-Beta.1');
    assert.equal(normalizeNuGetVersion('1.0'), '1.0.0');
    assert.equal(normalizeNuGetVersion('1.0.0.0'), '1.0.0');
    assert.equal(normalizeNuGetVersion('1'), '1.0.0');
    assert.throws(() => normalizeNuGetVersion('v1'), invalidVersion);
  });

  it('keeps build metadata in the full string', () => {
    assert.equal(fullNuGetVersion('1.0.0-beta+git'), '1.0.0-beta+git');
    assert.equal(fullNuGetVersion('01.0-beta+Git.Sha.1'), '1.0.0-beta+Git.Sha.1');
    assert.equal(fullNuGetVersion('1.0.0.0'), '1.0.0');
  });

  it('orders versions as NuGet does', () => {
    const ordered = ['0.9', '1.0.0-0', '1.0.0-2', '1.0.0-10', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.0.1', '1.0.1', '1.1', '10.0'];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        const a = ordered[i] ?? '';
        const b = ordered[j] ?? '';
        assert.equal(compareNuGetVersions(a, b), Math.sign(i - j), `${a} vs ${b}`);
      }
    }
    const shuffled = ['1.0.1', '1.0.0', '1.0.0-beta', '1.0.0.1', '1.0.0-alpha.1', '1.0.0-alpha'];
    assert.deepEqual(shuffled.sort(compareNuGetVersions), ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta', '1.0.0', '1.0.0.1', '1.0.1']);
  });

  it('treats case of labels, build metadata and spelled-out zeros as the same identity', () => {
    assert.equal(compareNuGetVersions('1.0.0-BETA', '1.0.0-beta'), 0);
    assert.equal(compareNuGetVersions('1.0.0+a', '1.0.0+b'), 0);
    assert.equal(compareNuGetVersions('1.0', '1.0.0.0'), 0);
    assert.equal(compareNuGetVersions('01.02', '1.2.0'), 0);
    assert.throws(() => compareNuGetVersions('1.0', 'x'), invalidVersion);
  });

  it('tells prereleases and SemVer 2 versions', () => {
    assert.equal(isPrereleaseNuGet('1.0.0'), false);
    assert.equal(isPrereleaseNuGet('1.0.0+meta'), false);
    assert.equal(isPrereleaseNuGet('1.0.0-rc'), true);
    assert.equal(semVerLevel('1.0.0'), 1);
    assert.equal(semVerLevel('1.0.0-beta'), 1);
    assert.equal(semVerLevel('1.0.0-beta-1'), 1);
    assert.equal(semVerLevel('1.0.0-beta.1'), 2);
    assert.equal(semVerLevel('1.0.0+git'), 2);
  });
});
