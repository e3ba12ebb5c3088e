import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gemPlatformValue, quickSpecBytes, specsIndexBytes, type GemSpecFacts } from './gem-marshal.js';
import { marshalDump } from './marshal.js';

/** Runs a Ruby script with `args`, failing the test on a non-zero exit; returns its stdout. */
function runRuby(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync('ruby', ['-e', script, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.error) throw new Error(`could not run ruby (is it installed?): ${result.error.message}`);
  assert.equal(result.status, 0, `ruby failed: ${result.stderr}`);
  return result.stdout;
}

/** 2024-03-05T12:00:00Z: gem build stamps the spec with this day when SOURCE_DATE_EPOCH is set. */
const SOURCE_DATE_EPOCH = '1709640000';

/**
 * Builds widget 1.0.0, 1.0.0.pre and 1.0.0 for x86_64-linux from one gemspec (as `gem build` does,
 * with Gem::Package.build), indexes them (as `gem generate_index` does, with Gem::Indexer), then
 * compares what RubyGems wrote with our files in DIR/ours, printing a JSON report.
 */
const BUILD_INDEX_AND_COMPARE = `
require 'json'
require 'fileutils'
require 'rubygems/package'
require 'rubygems/indexer'

dir = ARGV.fetch(0)
Gem::DefaultUserInteraction.ui = Gem::SilentUI.new
$stdout = $stderr

Dir.chdir(dir) do
  FileUtils.mkdir_p(['lib', 'gems'])
  File.write('lib/widget.rb', "module Widget; end\\n")
  [['1.0.0', nil], ['1.0.0.pre', nil], ['1.0.0', 'x86_64-linux']].each do |version, platform|
    spec = Gem::Specification.new do |s|
      s.name = 'widget'
      s.version = version
      s.platform = platform if platform
      s.summary = 'A widget'
      s.description = 'A widget — with ünïcode'
      s.authors = ['Ann', 'Bob']
      s.email = 'ann@example.com'
      s.homepage = 'https://example.com/widget'
      s.license = 'MIT'
      s.metadata = { 'source_code_uri' => 'https://example.com/src', 'bug_tracker_uri' => 'https://example.com/bugs' }
      s.files = ['lib/widget.rb']
      s.required_ruby_version = '>= 2.7'
      s.add_dependency 'gadget', '~> 1.0'
      s.add_development_dependency 'rake', '>= 12', '< 14'
    end
    FileUtils.mv(Gem::Package.build(spec), 'gems/')
  end
end
Gem::Indexer.new(dir).generate_index

# A loaded value as data: strings with their encodings, objects as their class and every instance variable.
def shape(value)
  case value
  when String then [value, value.encoding.name]
  when Array then value.map { |item| shape(item) }
  when Hash then value.map { |key, item| [shape(key), shape(item)] }
  when Time then ['Time', value.to_r, value.utc?, shape(value.zone)]
  when Symbol, Numeric, true, false, nil then value
  else [value.class.name, value.instance_variables.sort.map { |name| [name, shape(value.instance_variable_get(name))] }]
  end
end

# The instance variables whose shapes differ; call it before anything memoizes into either object.
def differing_ivars(ours, theirs)
  (ours.instance_variables | theirs.instance_variables).sort
    .reject { |name| shape(ours.instance_variable_get(name)) == shape(theirs.instance_variable_get(name)) }.map(&:to_s)
end

FIELDS = %i[name version platform original_platform summary description authors email homepage licenses metadata date
            required_ruby_version required_rubygems_version dependencies full_name rubygems_version specification_version]

report = { 'indexes' => {}, 'specs' => {} }
%w[specs latest_specs prerelease_specs].each do |index|
  theirs = Marshal.load(File.binread(File.join(dir, "#{index}.4.8")))
  ours = Marshal.load(File.binread(File.join(dir, 'ours', "#{index}.4.8")))
  report['indexes'][index] = {
    'sameShape' => shape(ours) == shape(theirs), 'equal' => ours == theirs,
    'ours' => ours.inspect, 'theirs' => theirs.inspect,
  }
end
%w[widget-1.0.0 widget-1.0.0.pre widget-1.0.0-x86_64-linux].each do |full_name|
  theirs = Marshal.load(Gem::Util.inflate(File.binread(File.join(dir, 'quick', 'Marshal.4.8', "#{full_name}.gemspec.rz"))))
  ours = Marshal.load(File.binread(File.join(dir, 'ours', "#{full_name}.gemspec")))
  report['specs'][full_name] = {
    'class' => ours.class.name,
    'differingIvars' => differing_ivars(ours, theirs),
    'differing' => FIELDS.reject { |field| ours.public_send(field) == theirs.public_send(field) }.map(&:to_s),
    'fullName' => ours.full_name,
    'platformClasses' => [ours.platform, theirs.platform].map { |platform| platform.class.name },
    'dependencies' => ours.dependencies.map { |dep| [dep.name, dep.type.to_s, dep.requirement.to_s] },
    'toRubyEqual' => ours.to_ruby == theirs.to_ruby,
  }
end
STDOUT.print JSON.generate(report)
`;

interface IndexVerdict {
  sameShape: boolean;
  equal: boolean;
  ours: string;
  theirs: string;
}

interface SpecVerdict {
  class: string;
  differingIvars: string[];
  differing: string[];
  fullName: string;
  platformClasses: [string, string];
  dependencies: Array<[string, string, string]>;
  toRubyEqual: boolean;
}

interface Report {
  indexes: Record<string, IndexVerdict | undefined>;
  specs: Record<string, SpecVerdict | undefined>;
}

/** The facts of the widget gems the Ruby script builds; RubyGems' `version=` makes a prerelease require RubyGems > 1.3.1. */
function widgetFacts(rubygemsVersion: string, version: string, platform: string): GemSpecFacts {
  const isPrerelease = /[a-zA-Z]/.test(version);
  return {
    name: 'widget',
    version,
    platform,
    summary: 'A widget',
    description: 'A widget — with ünïcode',
    authors: ['Ann', 'Bob'],
    email: 'ann@example.com',
    homepage: 'https://example.com/widget',
    licenses: ['MIT'],
    metadata: { source_code_uri: 'https://example.com/src', bug_tracker_uri: 'https://example.com/bugs' },
    date: new Date(Date.UTC(2024, 2, 5)),
    requiredRubyVersion: [['>=', '2.7']],
    requiredRubygemsVersion: isPrerelease ? [['>', '1.3.1']] : [['>=', '0']],
    dependencies: [
      { name: 'gadget', requirement: [['~>', '1.0']], type: 'runtime' },
      { name: 'rake', requirement: [['>=', '12'], ['<', '14']], type: 'development' },
    ],
    rubygemsVersion,
    specificationVersion: 4,
  };
}

const release = { name: 'widget', version: '1.0.0', platform: 'ruby' };
const native = { name: 'widget', version: '1.0.0', platform: 'x86_64-linux' };
const prerelease = { name: 'widget', version: '1.0.0.pre', platform: 'ruby' };

describe('RubyGems index Marshal, checked against gem generate_index', () => {
  let dir = '';
  let report: Report = { indexes: {}, specs: {} };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kura-gem-marshal-'));
    const rubygemsVersion = runRuby('print Gem::VERSION');
    const ours = join(dir, 'ours');
    mkdirSync(ours);
    writeFileSync(join(ours, 'specs.4.8'), specsIndexBytes([release, native]));
    // RubyGems 3.3's indexer keeps one latest spec per name, the last by platform: the native one here.
    writeFileSync(join(ours, 'latest_specs.4.8'), specsIndexBytes([native]));
    writeFileSync(join(ours, 'prerelease_specs.4.8'), specsIndexBytes([prerelease]));
    for (const [fullName, entry] of [['widget-1.0.0', release], ['widget-1.0.0.pre', prerelease], ['widget-1.0.0-x86_64-linux', native]] as const) {
      writeFileSync(join(ours, `${fullName}.gemspec`), quickSpecBytes(widgetFacts(rubygemsVersion, entry.version, entry.platform)));
    }
    report = JSON.parse(runRuby(BUILD_INDEX_AND_COMPARE, [dir], { SOURCE_DATE_EPOCH })) as Report;
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const index of ['specs', 'latest_specs', 'prerelease_specs']) {
    it(`${index}.4.8 loads equal to RubyGems' own, down to string encodings`, () => {
      const verdict = report.indexes[index];
      assert.ok(verdict, `no verdict for ${index}`);
      assert.equal(verdict.equal, true, `ours ${verdict.ours}\ntheirs ${verdict.theirs}`);
      assert.equal(verdict.sameShape, true, 'same values, but different encodings or instance variables');
    });
  }

  for (const [fullName, platformClass] of [['widget-1.0.0', 'String'], ['widget-1.0.0.pre', 'String'], ['widget-1.0.0-x86_64-linux', 'Gem::Platform']] as const) {
    it(`${fullName}: loads as a Gem::Specification equal to RubyGems' quick spec, field by field and ivar by ivar`, () => {
      const verdict = report.specs[fullName];
      assert.ok(verdict, `no verdict for ${fullName}`);
      assert.equal(verdict.class, 'Gem::Specification');
      assert.deepEqual(verdict.differingIvars, [], 'instance variables differing in value, encoding or nested instance variables');
      assert.deepEqual(verdict.differing, []);
      assert.equal(verdict.fullName, fullName);
      assert.deepEqual(verdict.platformClasses, [platformClass, platformClass]);
      assert.deepEqual(verdict.dependencies, [['gadget', 'runtime', '~> 1.0'], ['rake', 'development', '>= 12, < 14']]);
      assert.equal(verdict.toRubyEqual, true, 'Gem::Specification#to_ruby differs');
    });
  }
});

/** Platforms RubyGems splits in different ways, including its legacy and fallback rules. */
const PLATFORMS = [
  'ruby', 'x86_64-linux', 'x86_64-linux-musl', 'aarch64-linux-gnu', 'arm-linux-gnueabihf', 'i686-linux', 'x86_64-linux-',
  'arm64-darwin', 'x86_64-darwin-22', 'universal-darwin19', 'x64-mingw32', 'x64-mingw-ucrt', 'x86-mswin32-60', 'i386-mswin32', 'mswin32',
  'java', 'jruby', 'universal-java-11', 'universal-java1.8', 'dotnet', 'x86-dotnet4.0', 'dalvik', 'macruby', 'x86-cygwin',
  'x86_64-freebsd-13', 'i386-freebsd12', 'powerpc-aix5.3', 'hppa2.0w-hpux11.31', 'x86-netbsdelf', 'x86_64-openbsd6.9',
  'sparc-solaris2.10', 'x86-bitrig5.5', 'x86-test_platform2', 'wasm32-wasi', 'x86_64-unknown-linux-gnu',
];

const PLATFORM_ORACLE = `
require 'json'
verdicts = JSON.parse(STDIN.read).map do |name, hex|
  ours = Marshal.load([hex].pack('H*'))
  theirs = Gem::Platform.new(name)
  { 'equal' => ours.class == theirs.class && ours == theirs, 'ours' => ours.inspect, 'theirs' => theirs.inspect }
end
print JSON.generate(verdicts)
`;

describe('gemPlatformValue, checked against Gem::Platform.new', () => {
  it('splits every platform as RubyGems does (cpu, os, version), and leaves ruby a String', () => {
    const input = JSON.stringify(PLATFORMS.map((name) => [name, marshalDump(gemPlatformValue(name)).toString('hex')]));
    const result = spawnSync('ruby', ['-e', PLATFORM_ORACLE], { input, encoding: 'utf8' });
    assert.equal(result.status, 0, `ruby failed: ${result.error?.message ?? result.stderr}`);
    const verdicts = JSON.parse(result.stdout) as Array<{ equal: boolean; ours: string; theirs: string }>;
    const mismatches = PLATFORMS.flatMap((name, at) => (verdicts[at]?.equal ? [] : [`${name}: ours ${verdicts[at]?.ours} theirs ${verdicts[at]?.theirs}`]));
    assert.deepEqual(mismatches, []);
  });
});
