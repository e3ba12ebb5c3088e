/**
 * The Marshal structures of RubyGems' full index: the specs indexes (`specs.4.8` and friends) and the
 * quick index's Gem::Specification files, shaped as RubyGems 3.x writes them with `gem generate_index`.
 */
import { marshalDump, rubyHash, rubyTime, sym, type MarshalValue, type RubyObject, type RubyUserMarshal } from './marshal.js';
import type { GemDependency, GemRequirement, GemSpec } from './gemspec.js';

/** The specification the quick index holds is what Kura parsed from the gem's metadata. */
export type GemSpecFacts = GemSpec;
export type { GemDependency, GemRequirement };

/** Gem::Version.new(v) as Marshal writes it: U:Gem::Version [ "v" ]. Ruby normalises the string when it loads it. */
export function gemVersionValue(version: string): RubyUserMarshal {
  return { kind: 'user-marshal', className: 'Gem::Version', data: [version] };
}

/** Gem::Requirement: U:Gem::Requirement [ [ [op, Gem::Version], … ] ]. */
export function gemRequirementValue(requirement: GemRequirement): RubyUserMarshal {
  return { kind: 'user-marshal', className: 'Gem::Requirement', data: [requirement.map(([op, version]) => [op, gemVersionValue(version)])] };
}

/** The Marshal bytes of a specs index (specs.4.8, latest_specs.4.8, prerelease_specs.4.8 before gzip): [[name, Gem::Version, platform], …] in the order given. */
export function specsIndexBytes(entries: ReadonlyArray<{ name: string; version: string; platform: string }>): Buffer {
  return marshalDump(entries.map((entry) => [entry.name, gemVersionValue(entry.version), entry.platform]));
}

/** A platform's parts as RubyGems 3.3's Gem::Platform.new(string) splits them. */
export interface GemPlatformParts {
  cpu: string | null;
  os: string;
  version: string | null;
}

type OsRule = readonly [RegExp, (match: RegExpExecArray) => readonly [os: string, version: string | null]];

/** Gem::Platform#initialize's `case os`, in its order: the first pattern found anywhere in the os part wins. */
const OS_RULES: readonly OsRule[] = [
  [/aix(\d+)?/, (m) => ['aix', m[1] ?? null]],
  [/cygwin/, () => ['cygwin', null]],
  [/darwin(\d+)?/, (m) => ['darwin', m[1] ?? null]],
  [/^macruby$/, () => ['macruby', null]],
  [/freebsd(\d+)?/, (m) => ['freebsd', m[1] ?? null]],
  [/hpux(\d+)?/, (m) => ['hpux', m[1] ?? null]],
  [/^(?:java|jruby)$/, () => ['java', null]],
  [/^java([\d.]*)/, (m) => ['java', m[1] ?? null]],
  [/^dalvik(\d+)?$/, (m) => ['dalvik', m[1] ?? null]],
  [/^dotnet$/, () => ['dotnet', null]],
  [/^dotnet([\d.]*)/, (m) => ['dotnet', m[1] ?? null]],
  [/linux-?((?!gnu)\w+)?/, (m) => ['linux', m[1] ?? null]],
  [/mingw32/, () => ['mingw32', null]],
  [/mingw-?(\w+)?/, (m) => ['mingw', m[1] ?? null]],
  [/(mswin\d+)(_(\d+))?/, (m) => [m[1] ?? 'mswin', m[3] ?? null]],
  [/netbsdelf/, () => ['netbsdelf', null]],
  [/openbsd(\d+\.\d+)?/, (m) => ['openbsd', m[1] ?? null]],
  [/bitrig(\d+\.\d+)?/, (m) => ['bitrig', m[1] ?? null]],
  [/solaris(\d+\.\d+)?/, (m) => ['solaris', m[1] ?? null]],
  [/^(\w+_platform)(\d+)?/, (m) => [m[1] ?? '', m[2] ?? null]],
];

/** Gem::Platform#initialize's reading of the os part (undefined when there is none). */
function osAndVersion(os: string | undefined): readonly [os: string, version: string | null] {
  if (os === undefined) return ['unknown', null];
  for (const [pattern, read] of OS_RULES) {
    const match = pattern.exec(os);
    if (match) return read(match);
  }
  return ['unknown', null];
}

/** Splits a platform other than 'ruby' the way RubyGems 3.3's Gem::Platform.new(string) does (its rules, quirks included). */
export function gemPlatformParts(platform: string): GemPlatformParts {
  const parts = platform.split('-');
  while (parts.length > 0 && parts.at(-1) === '') parts.pop(); // Ruby's String#split drops trailing empty fields
  const last = parts.at(-1);
  if (parts.length > 2 && last !== undefined && !/\d/.test(last)) {
    parts.pop();
    parts[parts.length - 1] += `-${last}`; // reassembles x86-linux-gnu
  }
  const rawCpu = parts.shift();
  let cpu = rawCpu !== undefined && /i\d86/.test(rawCpu) ? 'x86' : (rawCpu ?? null);
  if (parts.length === 2 && /^\d+(\.\d+)?$/.test(parts[1] ?? '')) return { cpu, os: parts[0] ?? '', version: parts[1] ?? null };
  let os = parts[0];
  if (os === undefined) [cpu, os] = [null, rawCpu]; // a lone name, as legacy JRuby wrote 'java'
  const [osName, version] = osAndVersion(os);
  if (cpu === null && osName.startsWith('mswin') && osName.endsWith('32')) cpu = 'x86';
  return { cpu, os: osName, version };
}

/** A spec's platform as RubyGems holds it once loaded: the String 'ruby' for pure gems, else a Gem::Platform object (@cpu, @os, @version). */
export function gemPlatformValue(platform: string): MarshalValue {
  if (platform === 'ruby' || platform === '') return 'ruby';
  const { cpu, os, version } = gemPlatformParts(platform);
  return { kind: 'object', className: 'Gem::Platform', ivars: [['@cpu', cpu], ['@os', os], ['@version', version]] };
}

/** Gem::Dependency as a YAML-loaded spec holds it: @version_requirements repeats @requirement, @prerelease is false. */
function gemDependencyValue(dependency: GemDependency): RubyObject {
  return {
    kind: 'object',
    className: 'Gem::Dependency',
    ivars: [
      ['@name', dependency.name],
      ['@requirement', gemRequirementValue(dependency.requirement)],
      ['@type', sym(dependency.type)],
      ['@prerelease', false],
      ['@version_requirements', gemRequirementValue(dependency.requirement)],
    ],
  };
}

/** The 19 fields of Gem::Specification#_dump, in its order. */
function specificationFields(spec: GemSpecFacts): MarshalValue[] {
  return [
    spec.rubygemsVersion,
    spec.specificationVersion,
    spec.name,
    gemVersionValue(spec.version),
    rubyTime(spec.date),
    spec.summary,
    gemRequirementValue(spec.requiredRubyVersion),
    gemRequirementValue(spec.requiredRubygemsVersion),
    spec.platform, // original_platform: the String the gem's metadata names
    spec.dependencies.map(gemDependencyValue),
    '', // rubyforge_project, removed from RubyGems but kept in the format
    Array.isArray(spec.email) ? [...spec.email] : spec.email,
    [...spec.authors],
    spec.description,
    spec.homepage,
    true, // has_rdoc
    gemPlatformValue(spec.platform), // new_platform
    [...spec.licenses],
    rubyHash(Object.entries(spec.metadata)),
  ];
}

/** The Marshal bytes of a Gem::Specification as RubyGems' quick index holds it (quick/Marshal.4.8/NAME-VERSION[-PLATFORM].gemspec.rz before zlib deflate): `u:Gem::Specification` wrapping Marshal.dump of the 19-element array Gem::Specification#_dump writes (rubygems_version, specification_version, name, version, date, summary, required_ruby_version, required_rubygems_version, original_platform, dependencies (Gem::Dependency objects with @name, @requirement, @type (symbol), @prerelease (false), @version_requirements), rubyforge_project '', email, authors, description, homepage, has_rdoc true, new_platform, licenses, metadata). */
export function quickSpecBytes(spec: GemSpecFacts): Buffer {
  return marshalDump({ kind: 'user-dump', className: 'Gem::Specification', bytes: marshalDump(specificationFields(spec)) });
}
