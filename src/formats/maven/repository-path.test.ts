import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KuraError } from '../../core/errors/catalogue.js';
import { parseRepositoryTarget, splitMavenPath } from './repository-path.js';

const refusal = (code: string, message: RegExp) => (error: unknown) => error instanceof KuraError && error.code === code && message.test(error.message);

describe('Maven request paths', () => {
  it('splits and decodes the owner and the layout segments; a trailing slash is a directory', () => {
    assert.deepEqual(splitMavenPath('alice/tools/com/example/lib/1.0/lib-1.0.jar'), { owner: 'alice', segments: ['tools', 'com', 'example', 'lib', '1.0', 'lib-1.0.jar'] });
    assert.deepEqual(splitMavenPath('alice/tools/com/%6Cib/'), { owner: 'alice', segments: ['tools', 'com', 'lib'] });
  });

  it('refuses every spelling of traversal and odd characters', () => {
    for (const [path, message] of [
      ['alice/tools/../secret/x', /relative path segments/],
      ['alice/tools/%2e%2e/secret/x', /relative path segments/],
      ['alice/tools/./x', /relative path segments/],
      ['alice/tools/a%2fb/x', /encoded slashes/],
      ['alice/tools/a%5Cb/x', /encoded slashes/],
      ['alice//etc/passwd', /empty path segments/],
      ['/etc/passwd', /empty path segments/],
      ['alice/tools/a%00b', /invalid characters/],
      ['alice/tools/a b', /invalid characters/],
      ['alice/tools/%zz', /malformed percent-encoding/],
    ] as const) assert.throws(() => splitMavenPath(path), refusal('BAD_REQUEST', message), path);
    assert.throws(() => splitMavenPath(''), refusal('NOT_FOUND', /expected/));
    assert.throws(() => splitMavenPath('alice'), refusal('NOT_FOUND', /expected/));
  });

  it('reads files and their checksums in the layout', () => {
    assert.deepEqual(parseRepositoryTarget(['com', 'example', 'lib', '1.0', 'lib-1.0-sources.jar']), {
      kind: 'file', coordinates: { groupId: 'com.example', artifactId: 'lib' }, version: '1.0', fileName: 'lib-1.0-sources.jar', checksum: null,
    });
    assert.deepEqual(parseRepositoryTarget(['org', 'lib', '2.0', 'lib-2.0.pom.sha512']), {
      kind: 'file', coordinates: { groupId: 'org', artifactId: 'lib' }, version: '2.0', fileName: 'lib-2.0.pom', checksum: 'sha512',
    });
  });

  it('tells artifact-level from snapshot-level metadata', () => {
    assert.deepEqual(parseRepositoryTarget(['com', 'example', 'lib', 'maven-metadata.xml.md5']), {
      kind: 'artifact-metadata', coordinates: { groupId: 'com.example', artifactId: 'lib' }, checksum: 'md5',
    });
    assert.deepEqual(parseRepositoryTarget(['com', 'example', 'lib', '1.0-SNAPSHOT', 'maven-metadata.xml']), {
      kind: 'version-metadata', coordinates: { groupId: 'com.example', artifactId: 'lib' }, version: '1.0-SNAPSHOT', checksum: null,
    });
  });

  it('returns null for what is not in the layout and refuses impossible versions', () => {
    assert.equal(parseRepositoryTarget(['com', 'maven-metadata.xml']), null);
    assert.equal(parseRepositoryTarget(['com', 'example', 'lib']), null);
    assert.equal(parseRepositoryTarget(['com', 'ex.ample', 'lib', '1.0', 'lib-1.0.jar']), null, 'dots in a group directory');
    assert.equal(parseRepositoryTarget(['*', 'lib', '1.0', 'lib-1.0.jar']), null);
    assert.throws(() => parseRepositoryTarget(['com', 'lib', '*', 'lib-*.jar']), refusal('INVALID_VERSION', /not a valid Maven version/));
  });
});
