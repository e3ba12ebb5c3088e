import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import type { TestKura } from './harness.js';
import { tarOf, type TarMember } from './tar-archive.js';

export { tarOf };

export interface GemFixture {
  name: string;
  version: string;
  platform?: string;
  summary?: string;
  dependencies?: Array<{ name: string; requirement: Array<[string, string]>; type?: 'runtime' | 'development' }>;
  homepage?: string;
  metadata?: Record<string, string>;
  requiredRuby?: Array<[string, string]>;
  licenses?: string[];
}

const quote = (text: string) => JSON.stringify(text);

function requirementYaml(requirement: Array<[string, string]>, indent: string): string {
  return `${indent}requirements:\n${requirement.map(([op, v]) => `${indent}- - ${quote(op)}\n${indent}  - !ruby/object:Gem::Version\n${indent}    version: ${quote(v)}\n`).join('')}`;
}

/** A gemspec in the YAML `gem build` writes (Psych's shape). */
export function gemspecYaml(gem: GemFixture): string {
  const deps = (gem.dependencies ?? []).map((d) => `- !ruby/object:Gem::Dependency\n  name: ${d.name}\n  requirement: !ruby/object:Gem::Requirement\n${requirementYaml(d.requirement, '    ')}  type: :${d.type ?? 'runtime'}\n  prerelease: false\n  version_requirements: !ruby/object:Gem::Requirement\n${requirementYaml(d.requirement, '    ')}`).join('');
  return [
    '--- !ruby/object:Gem::Specification',
    `name: ${gem.name}`,
    'version: !ruby/object:Gem::Version',
    `  version: ${quote(gem.version)}`,
    `platform: ${gem.platform ?? 'ruby'}`,
    'authors:',
    '- Alice',
    'date: 2026-12-01 00:00:00.000000000 Z',
    deps ? `dependencies:\n${deps.trimEnd()}` : 'dependencies: []',
    'description: Makes things',
    'email: alice@example.com',
    `homepage: ${gem.homepage ?? ''}`,
    `licenses:\n${(gem.licenses ?? ['MIT']).map((l) => `- ${l}`).join('\n')}`,
    `metadata:${Object.keys(gem.metadata ?? {}).length === 0 ? ' {}' : `\n${Object.entries(gem.metadata ?? {}).map(([k, v]) => `  ${k}: ${quote(v)}`).join('\n')}`}`,
    'required_ruby_version: !ruby/object:Gem::Requirement',
    requirementYaml(gem.requiredRuby ?? [['>=', '0']], '  ').trimEnd(),
    'required_rubygems_version: !ruby/object:Gem::Requirement',
    requirementYaml([['>=', '0']], '  ').trimEnd(),
    'rubygems_version: 3.3.15',
    'specification_version: 4',
    `summary: ${gem.summary ?? 'A thing'}`,
    '',
  ].join('\n');
}

/** A .gem: tar of metadata.gz, data.tar.gz and checksums.yaml.gz, each part replaceable for bad-input tests. */
export function buildGem(gem: GemFixture, override: { metadata?: Buffer; data?: Buffer; checksums?: Buffer | null; extra?: TarMember[] } = {}): Buffer {
  const metadata = override.metadata ?? gzipSync(gemspecYaml(gem));
  const data = override.data ?? gzipSync(tarOf([{ path: `lib/${gem.name}.rb`, content: Buffer.from(`module ${gem.name.replace(/[^a-z]/gi, '')}; end\n`) }]));
  const sha = (algorithm: string, bytes: Buffer) => createHash(algorithm).update(bytes).digest('hex');
  const checksums = override.checksums === undefined
    ? gzipSync(`---\nSHA256:\n  metadata.gz: ${sha('sha256', metadata)}\n  data.tar.gz: ${sha('sha256', data)}\nSHA512:\n  metadata.gz: ${sha('sha512', metadata)}\n  data.tar.gz: ${sha('sha512', data)}\n`)
    : override.checksums;
  return tarOf([
    { path: 'metadata.gz', content: metadata },
    { path: 'data.tar.gz', content: data },
    ...(checksums ? [{ path: 'checksums.yaml.gz', content: checksums }] : []),
    ...(override.extra ?? []),
  ]);
}

/** `gem push` as the client sends it: the raw .gem, the token as the whole Authorization header. */
export function pushGem(k: TestKura, owner: string, token: string | null, gem: Buffer, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return k.app.inject({
    method: 'POST',
    url: `/rubygems/${owner}/api/v1/gems`,
    headers: { 'content-type': 'application/octet-stream', ...(token ? { authorization: token } : {}), ...headers },
    payload: gem,
  });
}
