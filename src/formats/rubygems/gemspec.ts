import { parseDocument, type CollectionTag, type ScalarTag, type YAMLMap } from 'yaml';
import { KuraError } from '../../core/errors/catalogue.js';
import { parseGemVersion } from './gem-version.js';
import { parseGemName, parseGemPlatform } from './names.js';

/** A requirement as `[operator, version]` pairs: `>= 12, < 14` is `[['>=', '12'], ['<', '14']]`. */
export type GemRequirement = Array<[string, string]>;

export interface GemDependency {
  name: string;
  requirement: GemRequirement;
  type: 'runtime' | 'development';
}

/** What Kura keeps of a gem's specification (its `metadata.gz`). */
export interface GemSpec {
  name: string;
  version: string;
  platform: string;
  summary: string | null;
  description: string | null;
  authors: string[];
  email: string | string[] | null;
  homepage: string | null;
  licenses: string[];
  metadata: Record<string, string>;
  date: Date;
  requiredRubyVersion: GemRequirement;
  requiredRubygemsVersion: GemRequirement;
  dependencies: GemDependency[];
  rubygemsVersion: string;
  specificationVersion: number;
}

const operators = new Set(['=', '!=', '>', '<', '>=', '<=', '~>']);
const maxAliases = 100;

/** The tags gem metadata uses; any other tag (any other Ruby object) is refused. */
const gemObject = (name: string): CollectionTag => ({ tag: `!ruby/object:Gem::${name}`, collection: 'map', resolve: (map) => map as YAMLMap });
const gemTags: Array<CollectionTag | ScalarTag> = [
  ...['Specification', 'Version', 'Requirement', 'Version::Requirement', 'Dependency', 'Platform'].map(gemObject),
  { tag: '!ruby/sym', resolve: (text: string) => text },
  { tag: '!binary', resolve: (text: string) => Buffer.from(text, 'base64').toString('utf8') },
];

type Plain = string | null | Plain[] | { [key: string]: Plain };

/**
 * Parses a gem's YAML specification safely: every scalar is a string (the failsafe schema, so
 * `1.0` stays a version), only the Gem::* tags gems carry are known, aliases are bounded, and
 * nothing is instantiated. Validates name, version and platform.
 * @throws KuraError INVALID_MANIFEST (malformed YAML, unknown tag, alias bomb, missing field), INVALID_NAME, INVALID_VERSION
 */
export function parseGemspec(yaml: string): GemSpec {
  const doc = parseDocument(yaml, { schema: 'failsafe', customTags: gemTags, prettyErrors: false, uniqueKeys: false });
  const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (problem) throw new KuraError('INVALID_MANIFEST', `the gem's metadata is not a valid gem specification: ${problem.message.split('\n')[0]}`);
  if (!doc.contents || (doc.contents as { tag?: string }).tag !== '!ruby/object:Gem::Specification') {
    throw new KuraError('INVALID_MANIFEST', 'the gem\'s metadata is not a !ruby/object:Gem::Specification');
  }
  let plain: Plain;
  try {
    plain = doc.toJS({ maxAliasCount: maxAliases }) as Plain;
  } catch (error) {
    throw new KuraError('INVALID_MANIFEST', `the gem's metadata could not be read: ${error instanceof Error ? error.message.split('\n')[0] : 'bad YAML'}`);
  }
  return toSpec(asMap(plain, 'the specification'));
}

function toSpec(spec: Record<string, Plain>): GemSpec {
  const name = parseGemName(requiredString(spec, 'name'));
  const version = parseGemVersion(versionOf(spec['version'], 'version'));
  const platform = parseGemPlatform(platformOf(spec['platform']));
  return {
    name,
    version,
    platform,
    summary: optionalString(spec['summary']),
    description: optionalString(spec['description']),
    authors: stringList(spec['authors']),
    email: Array.isArray(spec['email']) ? stringList(spec['email']) : optionalString(spec['email']),
    homepage: optionalString(spec['homepage']),
    licenses: stringList(spec['licenses']),
    metadata: stringMap(spec['metadata']),
    date: dateOf(spec['date']),
    requiredRubyVersion: requirementOf(spec['required_ruby_version']),
    requiredRubygemsVersion: requirementOf(spec['required_rubygems_version']),
    dependencies: listOf(spec['dependencies']).map(dependencyOf),
    rubygemsVersion: optionalString(spec['rubygems_version']) ?? '0',
    specificationVersion: Number(optionalString(spec['specification_version']) ?? '4') || 4,
  };
}

function asMap(value: Plain | undefined, what: string): Record<string, Plain> {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) throw new KuraError('INVALID_MANIFEST', `${what} must be a mapping`);
  return value;
}

function optionalString(value: Plain | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new KuraError('INVALID_MANIFEST', 'a gemspec field that must be text is not');
  return value;
}

function requiredString(spec: Record<string, Plain>, field: string): string {
  const value = optionalString(spec[field]);
  if (value === null) throw new KuraError('INVALID_MANIFEST', `the gemspec has no ${field}`);
  return value;
}

function listOf(value: Plain | undefined): Plain[] {
  if (value === undefined || value === null || value === '') return [];
  if (!Array.isArray(value)) throw new KuraError('INVALID_MANIFEST', 'a gemspec field that must be a list is not');
  return value;
}

function stringList(value: Plain | undefined): string[] {
  return listOf(value).map((item) => optionalString(item) ?? '').filter(Boolean);
}

function stringMap(value: Plain | undefined): Record<string, string> {
  if (value === undefined || value === null || value === '') return {};
  const map = asMap(value, 'metadata');
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, optionalString(v) ?? '']));
}

function versionOf(value: Plain | undefined, what: string): string {
  if (typeof value === 'string') return value;
  const version = optionalString(asMap(value, what)['version']);
  if (version === null) throw new KuraError('INVALID_MANIFEST', `${what} has no version`);
  return version;
}

function platformOf(value: Plain | undefined): string {
  if (value === undefined || value === null || value === '') return 'ruby';
  if (typeof value === 'string') return value;
  const map = asMap(value, 'platform');
  return [map['cpu'], map['os'], map['version']].map((part) => optionalString(part)).filter((part): part is string => part !== null).join('-');
}

function dateOf(value: Plain | undefined): Date {
  const text = optionalString(value);
  const date = text ? new Date(text.replace(' ', 'T').replace(/ Z$/, 'Z').replace(/\.(\d{3})\d*/, '.$1')) : new Date(0);
  return Number.isNaN(date.getTime()) ? new Date(0) : date;
}

function requirementOf(value: Plain | undefined): GemRequirement {
  if (value === undefined || value === null || value === '') return [['>=', '0']];
  const map = asMap(value, 'a requirement');
  const pairs = listOf(map['requirements']).map((pair): [string, string] => {
    const [op, version] = listOf(pair);
    const operator = optionalString(op);
    if (operator === null || !operators.has(operator)) throw new KuraError('INVALID_MANIFEST', `unknown requirement operator "${String(operator)}"`);
    return [operator, parseGemVersion(versionOf(version, 'a requirement'))];
  });
  return pairs.length > 0 ? pairs : [['>=', '0']];
}

function dependencyOf(value: Plain): GemDependency {
  const map = asMap(value, 'a dependency');
  const type = optionalString(map['type']) ?? ':runtime';
  return {
    name: parseGemName(requiredString(map, 'name')),
    requirement: requirementOf(map['requirement'] ?? map['version_requirements']),
    type: type === ':development' ? 'development' : 'runtime',
  };
}
