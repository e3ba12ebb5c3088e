// Gems for the RubyGems benchmark, built in JS (the same shape `gem build` writes): a tar of
// metadata.gz, data.tar.gz and checksums.yaml.gz. The same name always gives the same bytes.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tarOf } from '../lib/tar-archive.mjs';

const requirement = (pairs, indent) => `${indent}requirements:\n${pairs.map(([op, v]) => `${indent}- - "${op}"\n${indent}  - !ruby/object:Gem::Version\n${indent}    version: '${v}'\n`).join('')}`;

function gemspec({ name, version, homepage, dependencies }) {
  const deps = dependencies.map((d) => `- !ruby/object:Gem::Dependency\n  name: ${d}\n  requirement: !ruby/object:Gem::Requirement\n${requirement([['>=', '0']], '    ')}  type: :runtime\n  prerelease: false\n  version_requirements: !ruby/object:Gem::Requirement\n${requirement([['>=', '0']], '    ')}`).join('');
  return [
    '--- !ruby/object:Gem::Specification', `name: ${name}`, 'version: !ruby/object:Gem::Version', `  version: '${version}'`, 'platform: ruby',
    'authors:', '- Bench', 'date: 2026-12-01 00:00:00.000000000 Z', deps ? `dependencies:\n${deps.trimEnd()}` : 'dependencies: []',
    `description: The ${name} gem`, 'email: bench@example.com', `homepage: ${homepage}`, 'licenses:', '- MIT', 'metadata: {}',
    'require_paths:', '- lib', 'required_ruby_version: !ruby/object:Gem::Requirement', requirement([['>=', '0']], '  ').trimEnd(),
    'required_rubygems_version: !ruby/object:Gem::Requirement', requirement([['>=', '0']], '  ').trimEnd(),
    'rubygems_version: 3.3.15', 'specification_version: 4', `summary: The ${name} gem`, 'files:', `- lib/${name}.rb`, '',
  ].join('\n');
}

/** The .gem bytes of NAME-VERSION, depending on `dependencies` (names, `>= 0`), linked to `homepage`. */
export function buildGem(name, version, homepage, dependencies = []) {
  const metadata = gzipSync(gemspec({ name, version, homepage, dependencies }), { level: 9 });
  const code = `module ${name.replace(/[^a-z0-9]/gi, '_').replace(/^./, (c) => c.toUpperCase())}\n  VERSION = "${version}"\nend\n`;
  const data = gzipSync(tarOf({ [`lib/${name}.rb`]: Buffer.from(code) }), { level: 9 });
  const sha = (algorithm, bytes) => createHash(algorithm).update(bytes).digest('hex');
  const checksums = gzipSync(`---\nSHA256:\n  metadata.gz: ${sha('sha256', metadata)}\n  data.tar.gz: ${sha('sha256', data)}\nSHA512:\n  metadata.gz: ${sha('sha512', metadata)}\n  data.tar.gz: ${sha('sha512', data)}\n`);
  return tarOf({ 'metadata.gz': metadata, 'data.tar.gz': data, 'checksums.yaml.gz': checksums });
}
