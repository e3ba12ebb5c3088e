import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gemspecYaml } from '../../../test/support/gem-fixtures.js';
import { factLabelled, oddValues, presentInput } from '../../../test/support/present-input.js';
import { parseGemspec } from './gemspec.js';
import { presentGemVersion } from './present.js';

/** The metadata Kura stores for a pushed gem: its parsed gemspec, as JSON. */
const spec = JSON.parse(JSON.stringify(parseGemspec(gemspecYaml({
  name: 'widget',
  version: '2.3.0',
  homepage: 'https://widget.example.com',
  licenses: ['MIT', 'Ruby'],
  requiredRuby: [['>=', '3.0']],
  metadata: {
    source_code_uri: 'https://github.com/alice/widget',
    changelog_uri: 'https://github.com/alice/widget/blob/main/CHANGELOG.md',
    documentation_uri: 'javascript:alert(1)',
    bug_tracker_uri: 'https://github.com/alice/widget/issues',
    rubygems_mfa_required: 'true',
  },
  dependencies: [
    { name: 'rack', requirement: [['~>', '2.2'], ['>=', '2.2.1']] },
    { name: 'gadget', requirement: [['>=', '0']] },
    { name: 'rspec', requirement: [['~>', '3.12']], type: 'development' },
  ],
})))) as Record<string, unknown>;

const present = (metadata: unknown) => presentGemVersion(presentInput('rubygems', 'widget', '2.3.0', metadata, ['latest'])).details;

describe('RubyGems page facts', () => {
  it('shows links, authors, licenses, platform, requirements and dependencies in reading order', () => {
    const details = present(spec);
    assert.deepEqual(details.map((f) => f.label), [
      'Homepage', 'Repository', 'Changelog', 'Issues', 'Authors', 'Licenses', 'Platform', 'Required Ruby version',
      'Runtime dependencies', 'Development dependencies',
    ]);
    assert.deepEqual(factLabelled(details, 'Homepage'), { label: 'Homepage', kind: 'link', text: 'https://widget.example.com/', href: 'https://widget.example.com/' });
    assert.deepEqual(factLabelled(details, 'Changelog'), {
      label: 'Changelog', kind: 'link', text: 'https://github.com/alice/widget/blob/main/CHANGELOG.md', href: 'https://github.com/alice/widget/blob/main/CHANGELOG.md',
    });
    assert.deepEqual(factLabelled(details, 'Authors'), { label: 'Authors', kind: 'text', text: 'Alice' });
    assert.deepEqual(factLabelled(details, 'Licenses'), { label: 'Licenses', kind: 'text', text: 'MIT, Ruby' });
    assert.deepEqual(factLabelled(details, 'Platform'), { label: 'Platform', kind: 'text', text: 'ruby' });
    assert.deepEqual(factLabelled(details, 'Required Ruby version'), { label: 'Required Ruby version', kind: 'text', text: '>= 3.0' });
    assert.equal(factLabelled(details, 'Documentation'), undefined);
  });

  it('lists runtime and development dependencies with their requirements, as the owner’s gems', () => {
    const details = present(spec);
    assert.deepEqual(factLabelled(details, 'Runtime dependencies'), {
      label: 'Runtime dependencies', kind: 'dependencies', items: [
        { name: 'rack', requirement: '~> 2.2, >= 2.2.1', package: { owner: 'alice', name: 'rack' } },
        { name: 'gadget', requirement: '>= 0', package: { owner: 'alice', name: 'gadget' } },
      ],
    });
    assert.deepEqual(factLabelled(details, 'Development dependencies'), {
      label: 'Development dependencies', kind: 'dependencies', items: [{ name: 'rspec', requirement: '~> 3.12', package: { owner: 'alice', name: 'rspec' } }],
    });
  });

  it('keeps the REST facts as they were', () => {
    const { facts } = presentGemVersion(presentInput('rubygems', 'widget', '2.3.0', spec));
    assert.deepEqual(facts['runtimeDependencies'], { rack: '~> 2.2, >= 2.2.1', gadget: '>= 0' });
    assert.deepEqual(facts['developmentDependencies'], { rspec: '~> 3.12' });
    assert.equal(facts['requiredRubyVersion'], '>= 3.0');
    assert.equal(facts['platform'], 'ruby');
  });

  it('takes the homepage from metadata when the gemspec names none, and shows a native platform', () => {
    const details = present({ homepage: null, platform: 'x86_64-linux', metadata: { homepage_uri: 'https://widget.example.com/home' } });
    assert.deepEqual(factLabelled(details, 'Homepage'), { label: 'Homepage', kind: 'link', text: 'https://widget.example.com/home', href: 'https://widget.example.com/home' });
    assert.deepEqual(factLabelled(details, 'Platform'), { label: 'Platform', kind: 'text', text: 'x86_64-linux' });
  });

  it('never throws on odd metadata', () => {
    const fields = ['homepage', 'metadata', 'authors', 'licenses', 'platform', 'requiredRubyVersion', 'requiredRubygemsVersion', 'dependencies', 'summary'];
    for (const odd of oddValues) {
      const shown = presentGemVersion(presentInput('rubygems', 'widget', '1.0.0', Object.fromEntries(fields.map((f) => [f, odd]))));
      for (const fact of shown.details) if (fact.kind === 'link') assert.match(fact.href, /^https?:\/\//);
      presentGemVersion(presentInput('rubygems', 'widget', '1.0.0', {
        dependencies: [odd, { name: odd, requirement: odd, type: 'runtime' }, { name: 'rack', requirement: [odd, [odd, odd]], type: 'runtime' }],
        requiredRubyVersion: [odd],
        metadata: { source_code_uri: odd },
      }));
    }
    for (const odd of [null, [], 'text']) assert.deepEqual(presentGemVersion(presentInput('rubygems', 'widget', '1.0.0', odd)).details, []);
  });
});
