import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PackageRecord, VersionRecord } from '../core/packages/package.js';
import { presentMavenVersion } from './maven/present.js';
import { presentNpmVersion } from './npm/present.js';
import { presentImageVersion } from './oci/present.js';

const pkg = (format: string, name: string, repo: string | null = 'alice/tools'): PackageRecord => ({
  id: 1, format, name, ownerId: 1, ownerLogin: 'alice', ownerKind: 'user',
  repo: repo ? { id: 1, fullName: repo, visibility: 'public' } : null, inheritsAccess: true, visibility: 'public',
  description: null, rev: 1, createdAt: '', updatedAt: '', deletedAt: null,
});
const version = (v: string): VersionRecord => ({
  id: 1, packageId: 1, version: v, metadata: '{}', readme: null, description: null, license: null, deprecated: null,
  publisherId: null, downloadCount: 0, createdAt: '', deletedAt: null, purgedAt: null,
});
const base = 'https://kura.example';

describe('format presenters', () => {
  it('npm: scope registry line and the three clients', () => {
    const shown = presentNpmVersion({ pkg: pkg('npm', '@alice/widget'), version: version('1.2.0'), metadata: { dependencies: { lodash: '^4' } }, tags: [], baseUrl: base });
    assert.deepEqual(shown.install.map((s) => s.client), ['.npmrc', 'npm', 'yarn', 'pnpm']);
    assert.equal(shown.install[0]!.code, '@alice:registry=https://kura.example/npm/');
    assert.equal(shown.install[1]!.code, 'npm install @alice/widget@1.2.0');
    assert.deepEqual(shown.facts['dependencies'], { lodash: '^4' });
  });

  it('maven: dependency for Maven, Gradle Groovy and Kotlin, with the repository URL', () => {
    const shown = presentMavenVersion({ pkg: pkg('maven', 'com.example:widget'), version: version('1.0'), metadata: { packaging: 'jar' }, tags: [], baseUrl: base });
    assert.deepEqual(shown.install.map((s) => s.client), ['Maven', 'Gradle (Groovy)', 'Gradle (Kotlin)']);
    assert.match(shown.install[0]!.code, /<url>https:\/\/kura\.example\/maven\/alice\/tools\/<\/url>/);
    assert.match(shown.install[0]!.code, /<artifactId>widget<\/artifactId>/);
    assert.match(shown.install[1]!.code, /implementation 'com\.example:widget:1\.0'/);
    assert.match(shown.install[2]!.code, /implementation\("com\.example:widget:1\.0"\)/);
  });

  it('container: pull by tag when tagged, by digest otherwise', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const tagged = presentImageVersion({ pkg: pkg('container', 'web'), version: version(digest), metadata: { platforms: ['linux/amd64'], totalSize: 42 }, tags: ['v1', 'latest'], baseUrl: base });
    assert.equal(tagged.install[0]!.code, 'docker pull kura.example/alice/web:latest');
    assert.deepEqual(tagged.facts['platforms'], ['linux/amd64']);
    const untagged = presentImageVersion({ pkg: pkg('container', 'web'), version: version(digest), metadata: {}, tags: [], baseUrl: base });
    assert.equal(untagged.install[1]!.code, `podman pull kura.example/alice/web@${digest}`);
  });
});
