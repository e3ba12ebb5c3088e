import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KuraError } from '../../core/errors/catalogue.js';
import { createPomReader, licenseSummary, readPom } from './pom.js';
import { XmlTreeReader } from '../shared/xml-tree-reader.js';

function parse(xml: string, chunkSize?: number) {
  const reader = createPomReader();
  const bytes = Buffer.from(xml);
  const size = chunkSize ?? (bytes.length || 1);
  for (let at = 0; at < bytes.length; at += size) reader.write(bytes.subarray(at, at + size));
  return readPom(reader.finish());
}

const manifestError = (message: RegExp) => (error: unknown) => error instanceof KuraError && error.code === 'INVALID_MANIFEST' && message.test(error.message);

describe('POM reading', () => {
  it('reads coordinates, inheriting groupId and version from the parent', () => {
    const pom = parse(`<project><parent><groupId>org.parent</groupId><artifactId>p</artifactId><version>3</version></parent>
      <artifactId>child</artifactId><packaging>pom</packaging></project>`);
    assert.deepEqual([pom.groupId, pom.artifactId, pom.version, pom.packaging], ['org.parent', 'child', '3', 'pom']);
    assert.deepEqual(pom.parent, { groupId: 'org.parent', artifactId: 'p', version: '3' });
  });

  it('reads facts split across chunks, multi-byte characters, CDATA and prefixed names alike', () => {
    const pom = parse(`<?xml version="1.0" encoding="UTF-8"?>
      <pom:project xmlns:pom="http://maven.apache.org/POM/4.0.0"><pom:groupId>g</pom:groupId><pom:artifactId>a</pom:artifactId>
      <pom:version>1</pom:version><pom:description><![CDATA[Grüße & <more>]]></pom:description>
      <pom:licenses><pom:license><pom:name>MIT</pom:name></pom:license><pom:license><pom:name>Apache-2.0</pom:name></pom:license></pom:licenses>
      <pom:dependencies><pom:dependency><pom:groupId>x</pom:groupId><pom:artifactId>y</pom:artifactId><pom:scope>provided</pom:scope></pom:dependency></pom:dependencies>
      </pom:project>`, 1);
    assert.equal(pom.description, 'Grüße & <more>');
    assert.equal(licenseSummary(pom), 'MIT, Apache-2.0');
    assert.deepEqual(pom.dependencies, [{ groupId: 'x', artifactId: 'y', version: null, scope: 'provided', type: null, classifier: null, optional: false }]);
  });

  it('refuses DOCTYPEs, undefined entities, deep nesting and other roots', () => {
    assert.throws(() => parse('<!DOCTYPE project [<!ENTITY a "b">]><project/>'), manifestError(/DOCTYPE/));
    assert.throws(() => parse('<project><description>&a;</description></project>'), manifestError(/not well-formed/));
    assert.throws(() => parse(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`), manifestError(/nests deeper than 64/));
    assert.throws(() => parse('<settings/>'), manifestError(/not <project>/));
    assert.throws(() => parse('<project><groupId>g</groupId></project>'), manifestError(/no <artifactId>/));
  });

  it('bounds the size of what it reads', () => {
    const reader = new XmlTreeReader('the document', { maxBytes: 10, maxDepth: 4, maxElements: 4 });
    assert.throws(() => reader.write(Buffer.from('<project>........</project>')), (e: unknown) => e instanceof KuraError && e.code === 'PAYLOAD_TOO_LARGE');
    const many = new XmlTreeReader('the document', { maxBytes: 1000, maxDepth: 4, maxElements: 4 });
    assert.throws(() => many.write(Buffer.from('<a><b/><b/><b/><b/></a>')), manifestError(/more than 4 elements/));
  });
});
