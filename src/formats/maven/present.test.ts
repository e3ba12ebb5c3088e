import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { factLabelled, oddValues, presentInput } from '../../../test/support/present-input.js';
import { createPomReader, readPom } from './pom.js';
import { presentMavenVersion } from './present.js';

/** The metadata Kura stores for a deployed POM: what {@link readPom} reads, as JSON. */
function storedPom(xml: string): Record<string, unknown> {
  const reader = createPomReader();
  reader.write(Buffer.from(xml));
  return JSON.parse(JSON.stringify(readPom(reader.finish()))) as Record<string, unknown>;
}

const pom = storedPom(`<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent><groupId>com.example</groupId><artifactId>widget-parent</artifactId><version>2.0.0</version></parent>
  <artifactId>widget</artifactId>
  <packaging>jar</packaging>
  <name>Widget</name>
  <url>https://widget.example.com/</url>
  <licenses>
    <license><name>Apache License, Version 2.0</name><url>https://www.apache.org/licenses/LICENSE-2.0.txt</url></license>
    <license><url>https://widget.example.com/LICENSE</url></license>
  </licenses>
  <scm>
    <connection>scm:git:https://github.com/alice/widget.git</connection>
    <developerConnection>scm:git:git@github.com:alice/widget.git</developerConnection>
    <url>https://github.com/alice/widget/tree/main</url>
  </scm>
  <dependencies>
    <dependency><groupId>\${project.groupId}</groupId><artifactId>widget-core</artifactId><version>\${project.version}</version></dependency>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>\${jackson.version}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>[1.7,3.0)</version><optional>true</optional></dependency>
    <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><scope>test</scope></dependency>
  </dependencies>
</project>`);

const present = (metadata: unknown, version = '2.0.0') => presentMavenVersion(presentInput('maven', 'com.example:widget', version, metadata)).details;

describe('Maven page facts', () => {
  it('shows coordinates, links, licenses, the parent and dependencies in reading order', () => {
    const details = present(pom);
    assert.deepEqual(details.map((f) => f.label), ['Group ID', 'Artifact ID', 'Packaging', 'Homepage', 'Repository', 'Licenses', 'Parent', 'Dependencies']);
    assert.deepEqual(factLabelled(details, 'Group ID'), { label: 'Group ID', kind: 'text', text: 'com.example' });
    assert.deepEqual(factLabelled(details, 'Artifact ID'), { label: 'Artifact ID', kind: 'text', text: 'widget' });
    assert.deepEqual(factLabelled(details, 'Packaging'), { label: 'Packaging', kind: 'text', text: 'jar' });
    assert.deepEqual(factLabelled(details, 'Homepage'), { label: 'Homepage', kind: 'link', text: 'https://widget.example.com/', href: 'https://widget.example.com/' });
    assert.deepEqual(factLabelled(details, 'Repository'), { label: 'Repository', kind: 'link', text: 'https://github.com/alice/widget/tree/main', href: 'https://github.com/alice/widget/tree/main' });
    assert.deepEqual(factLabelled(details, 'Licenses'), { label: 'Licenses', kind: 'text', text: 'Apache License, Version 2.0; https://widget.example.com/LICENSE' });
    assert.deepEqual(factLabelled(details, 'Parent'), {
      label: 'Parent', kind: 'dependencies',
      items: [{ name: 'com.example:widget-parent', requirement: '2.0.0', package: { owner: 'alice', name: 'com.example:widget-parent' } }],
    });
  });

  it('lists dependencies with their scope, resolving the project’s own coordinates', () => {
    assert.deepEqual(factLabelled(present(pom), 'Dependencies'), {
      label: 'Dependencies', kind: 'dependencies', items: [
        { name: 'com.example:widget-core', requirement: '2.0.0', note: 'compile', package: { owner: 'alice', name: 'com.example:widget-core' } },
        { name: 'com.fasterxml.jackson.core:jackson-databind', requirement: '${jackson.version}', note: 'compile', package: { owner: 'alice', name: 'com.fasterxml.jackson.core:jackson-databind' } },
        { name: 'org.slf4j:slf4j-api', requirement: '[1.7,3.0)', note: 'compile, optional', package: { owner: 'alice', name: 'org.slf4j:slf4j-api' } },
        { name: 'org.junit.jupiter:junit-jupiter', requirement: '', note: 'test', package: { owner: 'alice', name: 'org.junit.jupiter:junit-jupiter' } },
      ],
    });
  });

  it('falls back to the SCM connection, and shows no package for coordinates it cannot know', () => {
    const details = present({
      scm: { url: null, connection: 'scm:git:git@github.com:alice/widget.git' },
      dependencies: [{ groupId: '${other.group}', artifactId: 'x', version: '1' }, { artifactId: 'lonely' }],
    });
    assert.deepEqual(factLabelled(details, 'Repository'), { label: 'Repository', kind: 'link', text: 'https://github.com/alice/widget', href: 'https://github.com/alice/widget' });
    assert.deepEqual(factLabelled(details, 'Dependencies'), {
      label: 'Dependencies', kind: 'dependencies', items: [
        { name: '${other.group}:x', requirement: '1', note: 'compile' },
        { name: '?:lonely', requirement: '', note: 'compile' },
      ],
    });
  });

  it('shows only the coordinates of a version deployed without a POM', () => {
    assert.deepEqual(present({}).map((f) => f.label), ['Group ID', 'Artifact ID']);
  });

  it('links only http and https addresses', () => {
    const details = present({ url: 'javascript:alert(1)', scm: { url: 'scm:git:javascript:alert(1)', connection: 'file:///srv/widget.git' } });
    assert.equal(factLabelled(details, 'Homepage'), undefined);
    assert.equal(factLabelled(details, 'Repository'), undefined);
  });

  it('never throws on odd metadata', () => {
    const fields = ['packaging', 'url', 'licenses', 'scm', 'dependencies', 'parent'];
    for (const odd of oddValues) {
      const shown = presentMavenVersion(presentInput('maven', 'com.example:widget', '1.0', Object.fromEntries(fields.map((f) => [f, odd]))));
      for (const fact of shown.details) if (fact.kind === 'link') assert.match(fact.href, /^https?:\/\//);
      presentMavenVersion(presentInput('maven', 'com.example:widget', '1.0', { dependencies: [odd], licenses: [odd], parent: { groupId: odd, artifactId: odd, version: odd } }));
    }
    for (const odd of [null, [], 'text']) assert.deepEqual(presentMavenVersion(presentInput('maven', 'com.example:widget', '1.0', odd)).details.length, 2);
  });
});
