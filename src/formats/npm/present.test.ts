import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { factLabelled, oddValues, presentInput } from '../../../test/support/present-input.js';
import { npmRepositoryAddress, presentNpmVersion } from './present.js';

/** A version document as `npm publish` sends it and Kura stores it (readme removed, dist completed). */
const published = {
  name: '@alice/widget',
  version: '2.1.0',
  description: 'Widgets for everyone',
  main: 'index.js',
  bin: { widget: 'bin/widget.js', 'widget-serve': 'bin/serve.js' },
  keywords: ['widget', 'ui', 'widget'],
  homepage: 'https://github.com/alice/widget#readme',
  bugs: { url: 'https://github.com/alice/widget/issues' },
  repository: { type: 'git', url: 'git+https://github.com/alice/widget.git' },
  license: 'MIT',
  author: { name: 'Alice' },
  engines: { node: '>=18' },
  os: ['linux', 'darwin'],
  cpu: ['x64', 'arm64'],
  dependencies: { '@alice/core': '^1.4.0', lodash: '^4.17.21', '@bob/util': 'npm:@carol/util@^2.0.0', local: 'file:../local', '@alice/git': 'github:alice/git' },
  peerDependencies: { react: '>=18', '@alice/theme': '^3' },
  peerDependenciesMeta: { '@alice/theme': { optional: true } },
  optionalDependencies: { fsevents: '^2.3.3' },
  devDependencies: { typescript: '^5.4.0' },
  _id: '@alice/widget@2.1.0',
  _nodeVersion: '20.11.1',
  _npmVersion: '10.2.4',
  dist: { integrity: 'sha512-abc', shasum: 'abc', tarball: 'widget-2.1.0.tgz', fileCount: 12, unpackedSize: 48213 },
};

const present = (metadata: unknown) => presentNpmVersion(presentInput('npm', '@alice/widget', '2.1.0', metadata, ['latest'])).details;

describe('npm page facts', () => {
  it('shows links, platform, size, commands, dependencies and keywords in reading order', () => {
    const details = present(published);
    assert.deepEqual(details.map((f) => f.label), [
      'Homepage', 'Repository', 'Issues', 'Node.js', 'Operating systems', 'CPU architectures', 'Unpacked size', 'Files',
      'Commands', 'Dependencies', 'Peer dependencies', 'Optional dependencies', 'Keywords',
    ]);
    assert.deepEqual(factLabelled(details, 'Homepage'), { label: 'Homepage', kind: 'link', text: 'https://github.com/alice/widget#readme', href: 'https://github.com/alice/widget#readme' });
    assert.deepEqual(factLabelled(details, 'Repository'), { label: 'Repository', kind: 'link', text: 'https://github.com/alice/widget', href: 'https://github.com/alice/widget' });
    assert.deepEqual(factLabelled(details, 'Issues'), { label: 'Issues', kind: 'link', text: 'https://github.com/alice/widget/issues', href: 'https://github.com/alice/widget/issues' });
    assert.deepEqual(factLabelled(details, 'Node.js'), { label: 'Node.js', kind: 'text', text: '>=18' });
    assert.deepEqual(factLabelled(details, 'Operating systems'), { label: 'Operating systems', kind: 'text', text: 'linux, darwin' });
    assert.deepEqual(factLabelled(details, 'CPU architectures'), { label: 'CPU architectures', kind: 'text', text: 'x64, arm64' });
    assert.deepEqual(factLabelled(details, 'Unpacked size'), { label: 'Unpacked size', kind: 'size', bytes: 48213 });
    assert.deepEqual(factLabelled(details, 'Files'), { label: 'Files', kind: 'count', count: 12 });
    assert.deepEqual(factLabelled(details, 'Commands'), { label: 'Commands', kind: 'labels', items: [{ text: 'widget' }, { text: 'widget-serve' }] });
    assert.deepEqual(factLabelled(details, 'Keywords'), { label: 'Keywords', kind: 'labels', items: [{ text: 'widget' }, { text: 'ui' }] });
  });

  it('lists dependencies as written, with the package this server would host for scoped registry ones', () => {
    const details = present(published);
    assert.deepEqual(factLabelled(details, 'Dependencies'), {
      label: 'Dependencies', kind: 'dependencies', items: [
        { name: '@alice/core', requirement: '^1.4.0', package: { owner: 'alice', name: '@alice/core' } },
        { name: 'lodash', requirement: '^4.17.21' },
        { name: '@bob/util', requirement: 'npm:@carol/util@^2.0.0', package: { owner: 'carol', name: '@carol/util' } },
        { name: 'local', requirement: 'file:../local' },
        { name: '@alice/git', requirement: 'github:alice/git' },
      ],
    });
    assert.deepEqual(factLabelled(details, 'Peer dependencies'), {
      label: 'Peer dependencies', kind: 'dependencies', items: [
        { name: 'react', requirement: '>=18' },
        { name: '@alice/theme', requirement: '^3', note: 'optional', package: { owner: 'alice', name: '@alice/theme' } },
      ],
    });
    assert.deepEqual(factLabelled(details, 'Optional dependencies'), {
      label: 'Optional dependencies', kind: 'dependencies', items: [{ name: 'fsevents', requirement: '^2.3.3' }],
    });
    assert.equal(factLabelled(details, 'Dev dependencies'), undefined);
  });

  it('shows several engines as one line and an empty spec as any version', () => {
    const details = present({ engines: { node: '>=18', npm: '>=9', vscode: 42 }, dependencies: { '@alice/any': '', '@alice/tagged': 'next' } });
    assert.deepEqual(factLabelled(details, 'Engines'), { label: 'Engines', kind: 'text', text: 'node >=18, npm >=9' });
    assert.deepEqual(factLabelled(details, 'Dependencies'), {
      label: 'Dependencies', kind: 'dependencies', items: [
        { name: '@alice/any', requirement: '*', package: { owner: 'alice', name: '@alice/any' } },
        { name: '@alice/tagged', requirement: 'next', package: { owner: 'alice', name: '@alice/tagged' } },
      ],
    });
  });

  it('reads the older shapes: a lone bin path, keywords as a string, engines as a list, bugs as an address', () => {
    const details = present({ bin: './cli.js', keywords: 'widget, ui tools', engines: ['node >= 0.8'], bugs: 'http://bugs.example/widget', os: 'linux' });
    assert.deepEqual(factLabelled(details, 'Commands'), { label: 'Commands', kind: 'labels', items: [{ text: 'widget' }] });
    assert.deepEqual(factLabelled(details, 'Keywords'), { label: 'Keywords', kind: 'labels', items: [{ text: 'widget' }, { text: 'ui' }, { text: 'tools' }] });
    assert.deepEqual(factLabelled(details, 'Engines'), { label: 'Engines', kind: 'text', text: 'node >= 0.8' });
    assert.deepEqual(factLabelled(details, 'Issues'), { label: 'Issues', kind: 'link', text: 'http://bugs.example/widget', href: 'http://bugs.example/widget' });
    assert.deepEqual(factLabelled(details, 'Operating systems'), { label: 'Operating systems', kind: 'text', text: 'linux' });
  });

  it('links only http and https addresses; other schemes are dropped, plain text stays text', () => {
    const details = present({
      homepage: 'javascript:alert(document.cookie)',
      repository: { type: 'git', url: 'JAVASCRIPT:alert(1)' },
      bugs: { email: 'bugs@alice.example' },
    });
    assert.equal(factLabelled(details, 'Homepage'), undefined);
    assert.equal(factLabelled(details, 'Repository'), undefined);
    assert.deepEqual(factLabelled(details, 'Issues'), { label: 'Issues', kind: 'text', text: 'bugs@alice.example' });
    assert.ok(details.every((f) => f.kind !== 'link' || /^https?:\/\//.test(f.href)));
    assert.deepEqual(factLabelled(present({ homepage: 'data:text/html,<script>alert(1)</script>' }), 'Homepage'), undefined);
    assert.deepEqual(factLabelled(present({ homepage: 'alice.example' }), 'Homepage'), { label: 'Homepage', kind: 'text', text: 'alice.example' });
    assert.deepEqual(factLabelled(present({ homepage: 'https://user:secret@alice.example/w' }), 'Homepage'),
      { label: 'Homepage', kind: 'link', text: 'https://alice.example/w', href: 'https://alice.example/w' });
  });

  it('turns every repository form package.json allows into a full https address', () => {
    const cases: Array<[unknown, string | null]> = [
      ['git+https://github.com/x/y.git', 'https://github.com/x/y'],
      ['https://github.com/x/y', 'https://github.com/x/y'],
      ['http://github.com/x/y.git', 'https://github.com/x/y'],
      ['git://github.com/x/y.git', 'https://github.com/x/y'],
      ['git+ssh://git@github.com/x/y.git', 'https://github.com/x/y'],
      ['git+ssh://git@github.com:x/y.git', 'https://github.com/x/y'],
      ['ssh://git@git.example.com:2222/team/y.git', 'https://git.example.com/team/y.git'],
      ['git@gitlab.com:group/sub/y.git', 'https://gitlab.com/group/sub/y'],
      ['github:x/y', 'https://github.com/x/y'],
      ['x/y', 'https://github.com/x/y'],
      ['gitlab:x/y', 'https://gitlab.com/x/y'],
      ['bitbucket:x/y', 'https://bitbucket.org/x/y'],
      ['gist:11081aaa281', 'https://gist.github.com/11081aaa281'],
      [{ type: 'git', url: 'git+https://github.com/x/monorepo.git', directory: 'packages/y' }, 'https://github.com/x/monorepo'],
      ['https://git.example.com/team/y.git', 'https://git.example.com/team/y.git'],
      ['javascript:alert(1)', null],
      ['file:../y', null],
      ['vbscript:x/y', null],
      [{ url: 42 }, null],
      [['https://github.com/x/y'], null],
      ['y', null],
    ];
    for (const [repository, expected] of cases) assert.equal(npmRepositoryAddress(repository), expected, JSON.stringify(repository));
  });

  it('shows a long repository address in full', () => {
    const url = `https://github.com/alice/${'w'.repeat(300)}`;
    assert.deepEqual(factLabelled(present({ repository: url }), 'Repository'), { label: 'Repository', kind: 'link', text: url, href: url });
  });

  it('never throws on odd metadata and shows nothing it cannot read', () => {
    const fields = ['dependencies', 'peerDependencies', 'peerDependenciesMeta', 'optionalDependencies', 'engines', 'os', 'cpu', 'homepage', 'repository', 'bugs', 'dist', 'bin', 'keywords'];
    for (const odd of oddValues) {
      const presentation = presentNpmVersion(presentInput('npm', '@alice/widget', '1.0.0', Object.fromEntries(fields.map((f) => [f, odd]))));
      for (const fact of presentation.details) {
        if (fact.kind === 'link') assert.match(fact.href, /^https?:\/\//);
        if (fact.kind === 'text') assert.ok(fact.text.length <= 1000);
      }
    }
    for (const odd of [null, [], 'text', 7]) assert.deepEqual(presentNpmVersion(presentInput('npm', '@alice/widget', '1.0.0', odd)).details, []);
  });

  it('cuts long text, keeping dependency names and requirements readable', () => {
    const details = present({ engines: { node: 'x'.repeat(5000) }, dependencies: { [`@alice/${'n'.repeat(500)}`]: '^1' } });
    const engines = factLabelled(details, 'Node.js');
    assert.ok(engines?.kind === 'text' && engines.text.length === 1000 && engines.text.endsWith('…'));
    const dependencies = factLabelled(details, 'Dependencies');
    assert.ok(dependencies?.kind === 'dependencies' && dependencies.items[0]!.name.length === 200);
  });
});
