import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { marshalDump, rubyHash, rubyString, rubyTime, sym, type MarshalValue } from './marshal.js';

/** A value written by marshalDump, the Ruby expression it must load as, and whether Ruby's own Marshal.dump of that expression must be byte-identical. */
interface Case {
  label: string;
  value: MarshalValue;
  ruby: string;
  sameBytes: boolean;
}

const exact = (label: string, value: MarshalValue, ruby: string): Case => ({ label, value, ruby, sameBytes: true });
/** For values where Ruby's dump links (`@`) an object it wrote before, which marshalDump writes afresh. */
const loads = (label: string, value: MarshalValue, ruby: string): Case => ({ label, value, ruby, sameBytes: false });

const integers: Case[] = [
  0, 1, 122, 123, 255, 256, -1, -123, -124, -125, -256, -257, 65535, 65536, 2 ** 24, -(2 ** 24) - 1,
  2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31, 2 ** 32, 2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER,
].map((n) => exact(`integer ${n}`, n, String(n)));

const cases: Case[] = [
  exact('nil', null, 'nil'),
  exact('true', true, 'true'),
  exact('false', false, 'false'),
  ...integers,
  exact('empty string', '', '""'),
  exact('ASCII string (UTF-8)', 'hello', '"hello"'),
  exact('non-ASCII UTF-8 string', 'Grüße — 日本 🎉', '"Grüße — 日本 🎉"'),
  exact('string with a two-byte length', 'x'.repeat(300), '"x" * 300'),
  exact('US-ASCII string', rubyString('abc', 'ascii'), '"abc".force_encoding("US-ASCII")'),
  exact('binary string from text', rubyString('Grüße', 'binary'), '"Grüße".b'),
  exact('binary string from bytes', { kind: 'string', bytes: Buffer.from([0, 0xff, 0x80, 0x22]), encoding: 'binary' }, '"\\x00\\xFF\\x80\\"".b'),
  exact('symbol', sym('name'), ':name'),
  exact('repeated symbols link by first appearance', [sym('a'), sym('b'), sym('a'), sym('b'), sym('c'), sym('a')], '[:a, :b, :a, :b, :c, :a]'),
  exact('non-ASCII symbol, then the E it needs', [sym('héllo'), 'é', sym('héllo')], '[:"héllo", "é", :"héllo"]'),
  exact('empty array', [], '[]'),
  exact('nested arrays', [1, [2, [3, []], 'four'], [[null]]], '[1, [2, [3, []], "four"], [[nil]]]'),
  exact('empty hash', rubyHash([]), '{}'),
  exact(
    'hash with mixed keys, nested',
    rubyHash([[sym('a'), 1], ['b', [true, null]], [2, rubyHash([[sym('a'), sym('c')]])]]),
    '{ a: 1, "b" => [true, nil], 2 => { a: :c } }',
  ),
  exact('Time with milliseconds', rubyTime(new Date(Date.UTC(2024, 2, 5, 12, 34, 56, 789))), 'Time.utc(2024, 3, 5, 12, 34, 56, 789000)'),
  exact('Time at the epoch', rubyTime(new Date(0)), 'Time.at(0).utc'),
  exact('Time before the epoch', rubyTime(new Date(Date.UTC(1969, 6, 20, 20, 17, 40))), 'Time.utc(1969, 7, 20, 20, 17, 40)'),
  exact('Time at the end of a day, month and year', rubyTime(new Date(Date.UTC(2262, 11, 31, 23, 59, 59, 999))), 'Time.utc(2262, 12, 31, 23, 59, 59, 999000)'),
  exact('the earliest Time without a :year ivar', rubyTime(new Date(Date.UTC(1900, 0, 1))), 'Time.utc(1900, 1, 1)'),
  loads(
    'two Times and a UTF-8 string share symbols (Ruby links the second "UTC" zone to the first)',
    ['é', rubyTime(new Date(Date.UTC(2000, 1, 29))), rubyTime(new Date(Date.UTC(2001, 0, 1, 1, 2, 3)))],
    '["é", Time.utc(2000, 2, 29), Time.utc(2001, 1, 1, 1, 2, 3)]',
  ),
  exact('u: a class with _dump/_load', { kind: 'user-dump', className: 'Probe', bytes: Buffer.from('héllo') }, 'Probe.new("héllo")'),
  exact('U: a class with marshal_dump/marshal_load', { kind: 'user-marshal', className: 'Pair', data: [1, 'two', sym('three')] }, 'Pair.new(1, "two", :three)'),
  exact(
    'o: a plain object, its class symbol reused as a value',
    { kind: 'object', className: 'Point', ivars: [['@x', 1], ['@y', [sym('Point'), null]]] },
    'Point.new(1, [:Point, nil])',
  ),
];

/** Classes the cases name, and the oracle: for each case, Ruby's verdict on what marshalDump wrote. */
const RUBY_ORACLE = `
require 'json'

class Probe
  attr_reader :text
  def initialize(text); @text = text; end
  def _dump(_level); @text.b; end
  def self._load(bytes); new(bytes.force_encoding('UTF-8')); end
  def ==(other); other.is_a?(Probe) && other.text == text; end
end

class Pair
  attr_reader :items
  def initialize(*items); @items = items; end
  def marshal_dump; @items; end
  def marshal_load(items); @items = items; end
  def ==(other); other.is_a?(Pair) && other.items == items; end
end

class Point
  attr_reader :x, :y
  def initialize(x, y); @x = x; @y = y; end
  def ==(other); other.is_a?(Point) && [other.x, other.y] == [x, y]; end
end

verdicts = JSON.parse(STDIN.read).map do |c|
  expected = eval(c['ruby'])
  loaded = Marshal.load([c['hex']].pack('H*'))
  {
    'equal' => loaded == expected,
    'redumpedEqual' => Marshal.dump(loaded) == Marshal.dump(expected),
    'rubyHex' => Marshal.dump(expected).unpack1('H*'),
    'inspect' => loaded.inspect,
  }
rescue Exception => e
  { 'error' => "#{e.class}: #{e.message}" }
end
print JSON.generate(verdicts)
`;

interface Verdict {
  equal?: boolean;
  redumpedEqual?: boolean;
  rubyHex?: string;
  inspect?: string;
  error?: string;
}

function askRuby(script: string, input: string): string {
  const result = spawnSync('ruby', ['-e', script], { input, encoding: 'utf8' });
  if (result.error) throw new Error(`could not run ruby (is it installed?): ${result.error.message}`);
  assert.equal(result.status, 0, `ruby failed: ${result.stderr}`);
  return result.stdout;
}

describe('marshalDump, checked by Ruby', () => {
  let verdicts: Verdict[] = [];

  before(() => {
    const input = JSON.stringify(cases.map((c) => ({ ruby: c.ruby, hex: marshalDump(c.value).toString('hex') })));
    verdicts = JSON.parse(askRuby(RUBY_ORACLE, input)) as Verdict[];
    assert.equal(verdicts.length, cases.length);
  });

  cases.forEach((c, index) => {
    it(`${c.label}: Ruby loads ${c.ruby}${c.sameBytes ? ', and dumps the same bytes' : ''}`, () => {
      const verdict = verdicts[index];
      assert.ok(verdict, 'no verdict');
      assert.equal(verdict.error, undefined);
      assert.equal(verdict.equal, true, `loaded as ${verdict.inspect}`);
      assert.equal(verdict.redumpedEqual, true, `loaded as ${verdict.inspect}, which Ruby re-dumps differently (encoding or class)`);
      if (c.sameBytes) assert.equal(marshalDump(c.value).toString('hex'), verdict.rubyHex);
    });
  });
});

describe('marshalDump refusals', () => {
  it('refuses numbers that are not safe integers', () => {
    for (const n of [1.5, Number.NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53)]) {
      assert.throws(() => marshalDump(n), /safe integers/, String(n));
    }
  });

  it('refuses instance variable names without @', () => {
    assert.throws(() => marshalDump({ kind: 'object', className: 'Point', ivars: [['x', 1]] }), /start with @/);
  });

  it('refuses non-ASCII text labelled US-ASCII', () => {
    assert.throws(() => rubyString('é', 'ascii'), /not US-ASCII/);
  });

  it('refuses invalid dates and years Time#_dump writes with an extra ivar', () => {
    assert.throws(() => rubyTime(new Date(Number.NaN)), /out of range/);
    assert.throws(() => rubyTime(new Date(Date.UTC(1899, 11, 31, 23, 59, 59))), /out of range/);
  });
});
