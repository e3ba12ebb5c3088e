import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNpmPath } from './request-path.js';
import { parseNpmName } from './names.js';
import { repositoryHint } from './publish.js';
import { distTags } from './packument.js';
import type { VersionRecord } from '../../core/packages/package.js';

describe('npm request paths', () => {
  it('decodes scoped names with %2f, %2F or a plain slash', () => {
    for (const raw of ['@alice%2fwidget', '@alice%2Fwidget', '@alice/widget', '%40alice%2Fwidget']) {
      assert.deepEqual(parseNpmPath(raw), { kind: 'package', name: '@alice/widget' }, raw);
    }
  });

  it('recognises tarballs, versions and revision paths', () => {
    assert.deepEqual(parseNpmPath('@alice/widget/-/widget-1.0.0.tgz'), { kind: 'tarball', name: '@alice/widget', file: 'widget-1.0.0.tgz' });
    assert.deepEqual(parseNpmPath('@alice%2fwidget/-/widget-1.0.0.tgz'), { kind: 'tarball', name: '@alice/widget', file: 'widget-1.0.0.tgz' });
    assert.deepEqual(parseNpmPath('@alice%2fwidget/-rev/3-abc'), { kind: 'rev', name: '@alice/widget', rev: '3-abc' });
    assert.deepEqual(parseNpmPath('@alice/widget/-/widget-1.0.0.tgz/-rev/3-abc'), { kind: 'tarball-rev', name: '@alice/widget', file: 'widget-1.0.0.tgz', rev: '3-abc' });
    assert.deepEqual(parseNpmPath('@alice%2fwidget/latest'), { kind: 'version', name: '@alice/widget', spec: 'latest' });
    assert.equal(parseNpmPath('@alice/widget/a/b/c/d'), null);
  });

  it('refuses malformed percent-encoding', () => {
    assert.throws(() => parseNpmPath('@alice%2fwid%zzget'), /malformed percent-encoding/);
  });
});

describe('npm names', () => {
  it('accepts scoped lower-case names and splits them', () => {
    assert.deepEqual(parseNpmName('@alice/widget'), { full: '@alice/widget', scope: 'alice', bare: 'widget' });
  });

  it('refuses names npm would refuse, and unscoped names', () => {
    assert.throws(() => parseNpmName('@alice/Widget'), /INVALID|capital|lowercase/i);
    assert.throws(() => parseNpmName('@alice/../x'), /invalid package name/);
    assert.throws(() => parseNpmName('widget'), /not scoped/);
    assert.throws(() => parseNpmName(`@alice/${'x'.repeat(220)}`), /invalid package name/);
  });
});

describe('repository hints', () => {
  it('takes OWNER/REPO from the usual repository spellings', () => {
    assert.equal(repositoryHint('https://kura.example/alice/tools.git'), 'alice/tools');
    assert.equal(repositoryHint({ type: 'git', url: 'git+ssh://git@kura.example:alice/tools.git' }), 'alice/tools');
    assert.equal(repositoryHint('github:alice/tools'), 'alice/tools');
    assert.equal(repositoryHint('alice/tools'), 'alice/tools');
    assert.equal(repositoryHint('tools'), null);
    assert.equal(repositoryHint(undefined), null);
  });
});

describe('dist-tags', () => {
  const version = (v: string): VersionRecord => ({ id: 1, packageId: 1, version: v, metadata: '{}', readme: null, description: null, license: null, deprecated: null, publisherId: null, downloadCount: 0, createdAt: '', deletedAt: null, purgedAt: null });
  it('falls back to the highest stable version when latest is untagged', () => {
    assert.deepEqual(distTags([version('1.0.0'), version('2.0.0-rc.1'), version('1.10.0')], []), { latest: '1.10.0' });
    assert.deepEqual(distTags([version('2.0.0-rc.1')], []), { latest: '2.0.0-rc.1' });
    assert.deepEqual(distTags([version('1.0.0')], [{ name: 'beta', versionId: 1, version: '1.0.0', updatedAt: '' }]), { beta: '1.0.0', latest: '1.0.0' });
  });
});
