import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareBuilds, parseArtifactFileName, snapshotBuildVersion } from './artifact-file-name.js';
import { filesOfExpiredBuilds } from './snapshot-retention.js';

describe('Maven artifact file names', () => {
  it('reads classifier and extension of release files', () => {
    assert.deepEqual(parseArtifactFileName('lib', '1.0', 'lib-1.0.jar'), { classifier: null, extension: 'jar', build: null });
    assert.deepEqual(parseArtifactFileName('lib', '1.0', 'lib-1.0-sources.jar'), { classifier: 'sources', extension: 'jar', build: null });
    assert.deepEqual(parseArtifactFileName('lib', '1.0', 'lib-1.0-dist.tar.gz'), { classifier: 'dist', extension: 'tar.gz', build: null });
    assert.deepEqual(parseArtifactFileName('lib', '1.0', 'lib-1.0.jar.asc'), { classifier: null, extension: 'jar.asc', build: null });
  });

  it('reads timestamped builds and the literal spelling of -SNAPSHOT versions', () => {
    assert.deepEqual(parseArtifactFileName('lib', '1.1-SNAPSHOT', 'lib-1.1-20261124.034909-12-javadoc.jar'), {
      classifier: 'javadoc', extension: 'jar', build: { timestamp: '20261124.034909', buildNumber: 12 },
    });
    assert.deepEqual(parseArtifactFileName('lib', '1.1-SNAPSHOT', 'lib-1.1-SNAPSHOT.pom'), { classifier: null, extension: 'pom', build: null });
    assert.equal(snapshotBuildVersion('1.1-SNAPSHOT', { timestamp: '20261124.034909', buildNumber: 3 }), '1.1-20261124.034909-3');
  });

  it('refuses names of other artifacts, versions or builds on releases', () => {
    for (const name of ['other-1.0.jar', 'lib-1.1.jar', 'lib-1.0', 'lib-1.0-.jar', 'lib-1.0-20261124.034909-1.jar', 'lib-1.0.', 'lib-1.0.j/ar']) {
      assert.equal(parseArtifactFileName('lib', '1.0', name), null, name);
    }
    assert.equal(parseArtifactFileName('lib', '1.1-SNAPSHOT', 'lib-1.1-20261124-1.jar'), null);
  });

  it('orders builds by number, then time, and expires the oldest beyond the kept count', () => {
    assert.ok(compareBuilds({ timestamp: '20261124.050000', buildNumber: 2 }, { timestamp: '20261124.040000', buildNumber: 10 }) < 0);
    const files = ['1', '2', '3'].flatMap((n) => [`lib-1.1-2026112${n}.000000-${n}.jar`, `lib-1.1-2026112${n}.000000-${n}.pom`]);
    assert.deepEqual(filesOfExpiredBuilds('lib', '1.1-SNAPSHOT', [...files, 'lib-1.1-SNAPSHOT.jar'], 2), ['lib-1.1-20261121.000000-1.jar', 'lib-1.1-20261121.000000-1.pom']);
    assert.deepEqual(filesOfExpiredBuilds('lib', '1.1-SNAPSHOT', files, 3), []);
  });
});
