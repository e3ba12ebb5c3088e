import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metadataTimestamp, renderArtifactMetadata, renderSnapshotMetadata } from './metadata-xml.js';

const coordinates = { groupId: 'com.example', artifactId: 'lib' };

describe('maven-metadata.xml generation', () => {
  it('lists versions in Maven order with latest and release', () => {
    const xml = renderArtifactMetadata(coordinates, ['1.10', '1.2-SNAPSHOT', '1.9', '2.0-alpha-1'], '2026-11-24T03:49:09.123Z').toString();
    assert.equal(xml, `<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>com.example</groupId>
  <artifactId>lib</artifactId>
  <versioning>
    <latest>2.0-alpha-1</latest>
    <release>2.0-alpha-1</release>
    <versions>
      <version>1.2-SNAPSHOT</version>
      <version>1.9</version>
      <version>1.10</version>
      <version>2.0-alpha-1</version>
    </versions>
    <lastUpdated>20261124034909</lastUpdated>
  </versioning>
</metadata>
`);
    assert.doesNotMatch(renderArtifactMetadata(coordinates, ['1.0-SNAPSHOT'], '2026-11-24T03:49:09Z').toString(), /<release>/);
  });

  it('describes the newest build of a snapshot per classifier and extension, whatever the file order', () => {
    const files = [
      { name: 'lib-1.0-20261124.040000-2.jar', createdAt: '2026-11-24T04:00:01Z' },
      { name: 'lib-1.0-20261124.030000-1.jar', createdAt: '2026-11-24T03:00:01Z' },
      { name: 'lib-1.0-20261124.030000-1-tests.jar', createdAt: '2026-11-24T03:00:02Z' },
      { name: 'lib-1.0-20261124.040000-2.pom', createdAt: '2026-11-24T04:00:00Z' },
      { name: 'unrelated.txt', createdAt: '2026-11-25T00:00:00Z' },
    ];
    const xml = renderSnapshotMetadata(coordinates, '1.0-SNAPSHOT', files).toString();
    assert.match(xml, /<snapshot>\s*<timestamp>20261124\.040000<\/timestamp>\s*<buildNumber>2<\/buildNumber>/);
    assert.match(xml, /<lastUpdated>20261124040001<\/lastUpdated>/);
    const values = [...xml.matchAll(/<snapshotVersion>([\s\S]*?)<\/snapshotVersion>/g)].map((m) => m[1]!.replace(/\s+/g, ''));
    assert.deepEqual(values, [
      '<extension>jar</extension><value>1.0-20261124.040000-2</value><updated>20261124040001</updated>',
      '<classifier>tests</classifier><extension>jar</extension><value>1.0-20261124.030000-1</value><updated>20261124030002</updated>',
      '<extension>pom</extension><value>1.0-20261124.040000-2</value><updated>20261124040000</updated>',
    ]);
    assert.deepEqual(renderSnapshotMetadata(coordinates, '1.0-SNAPSHOT', [...files].reverse()), renderSnapshotMetadata(coordinates, '1.0-SNAPSHOT', files));
  });

  it('formats timestamps as Maven does', () => {
    assert.equal(metadataTimestamp('2026-01-02T03:04:05.999Z'), '20260102030405');
  });
});
