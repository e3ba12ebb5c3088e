/**
 * A writer of Ruby's Marshal format 4.8 (what `Marshal.dump` produces), covering the value types
 * RubyGems' indexes are made of. It writes trees: every value is written afresh, never as an
 * object link (`@`), so a value shared in JS becomes two equal objects in Ruby. Symbols are
 * written once per dump and linked (`;`) afterwards, as Ruby does.
 */

/** A Ruby Symbol. */
export class RubySymbol {
  constructor(readonly name: string) {}
}

/** Shorthand for `new RubySymbol(name)`. */
export const sym = (name: string) => new RubySymbol(name);

/** A Ruby String with an explicit encoding: 'utf8' (ivar E true), 'ascii' (E false, US-ASCII), 'binary' (no ivar, ASCII-8BIT). JS strings are written as UTF-8 strings. */
export interface RubyString {
  kind: 'string';
  bytes: Buffer;
  encoding: 'utf8' | 'ascii' | 'binary';
}

/** A Ruby Hash without a default value; entries are written in the order given. */
export interface RubyHash {
  kind: 'hash';
  entries: Array<[MarshalValue, MarshalValue]>;
}

/** `U`: an object whose class defines marshal_dump/marshal_load (Gem::Version, Gem::Requirement). */
export interface RubyUserMarshal {
  kind: 'user-marshal';
  className: string;
  data: MarshalValue;
}

/** `u`: an object whose class defines _dump/_load (Time, Gem::Specification); `ivars` are written after it (wrapped in `I`) when given. */
export interface RubyUserDump {
  kind: 'user-dump';
  className: string;
  bytes: Buffer;
  ivars?: Array<[RubySymbol, MarshalValue]>;
}

/** `o`: a plain object with instance variables (names include the `@`). */
export interface RubyObject {
  kind: 'object';
  className: string;
  ivars: Array<[string, MarshalValue]>;
}

/** A value `marshalDump` can write: `null` is nil, numbers are Integers, JS strings are UTF-8 Strings, JS arrays are Arrays. */
export type MarshalValue =
  | null
  | boolean
  | number
  | string
  | RubySymbol
  | RubyString
  | MarshalValue[]
  | RubyHash
  | RubyUserMarshal
  | RubyUserDump
  | RubyObject;

const FIXNUM_MIN = -(2 ** 30);
const FIXNUM_MAX = 2 ** 30 - 1;

/** A growable byte buffer. */
class ByteSink {
  private buffer = Buffer.alloc(256);
  private length = 0;

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value & 0xff;
  }

  bytes(data: Buffer): void {
    this.reserve(data.length);
    data.copy(this.buffer, this.length);
    this.length += data.length;
  }

  /** A copy of everything written so far. */
  result(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + extra));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** One dump's state: the output and the symbols written so far, by name, with their link index. */
class MarshalWriter {
  readonly out = new ByteSink();
  private readonly symbols = new Map<string, number>();

  value(value: MarshalValue): void {
    if (value === null) this.out.byte(0x30); // '0'
    else if (value === true) this.out.byte(0x54); // 'T'
    else if (value === false) this.out.byte(0x46); // 'F'
    else if (typeof value === 'number') this.integer(value);
    else if (typeof value === 'string') this.string(Buffer.from(value, 'utf8'), 'utf8');
    else if (value instanceof RubySymbol) this.symbol(value.name);
    else if (Array.isArray(value)) this.array(value);
    else this.compound(value);
  }

  private compound(value: RubyString | RubyHash | RubyUserMarshal | RubyUserDump | RubyObject): void {
    switch (value.kind) {
      case 'string':
        return this.string(value.bytes, value.encoding);
      case 'hash':
        return this.hash(value.entries);
      case 'user-marshal':
        this.out.byte(0x55); // 'U'
        this.symbol(value.className);
        return this.value(value.data);
      case 'user-dump':
        return this.userDump(value);
      case 'object':
        return this.object(value);
    }
  }

  /**
   * marshal.c's w_long: 0 as 0x00, 1..122 as n+5, -123..-1 as n-5 (one byte), otherwise a byte
   * count (negated for negative numbers) then that many little-endian bytes, at most 4.
   */
  private long(n: number): void {
    if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw new Error(`Marshal long out of range: ${n}`);
    if (n === 0) return this.out.byte(0);
    if (n > 0 && n < 123) return this.out.byte(n + 5);
    if (n < 0 && n > -124) return this.out.byte(n - 5);
    const digits: number[] = [];
    let rest = n;
    do {
      digits.push(rest & 0xff);
      rest >>= 8;
    } while (rest !== 0 && rest !== -1);
    this.out.byte(n < 0 ? -digits.length : digits.length);
    for (const digit of digits) this.out.byte(digit);
  }

  private integer(n: number): void {
    if (!Number.isSafeInteger(n)) throw new Error(`Marshal can only write safe integers, not ${n}`);
    if (n >= FIXNUM_MIN && n <= FIXNUM_MAX) {
      this.out.byte(0x69); // 'i'
      return this.long(n);
    }
    this.bignum(n);
  }

  /** `l`, a sign, the count of 16-bit words, then the magnitude's bytes little-endian, padded to whole words. */
  private bignum(n: number): void {
    let magnitude = BigInt(Math.abs(n));
    const bytes: number[] = [];
    while (magnitude > 0n) {
      bytes.push(Number(magnitude & 0xffn));
      magnitude >>= 8n;
    }
    if (bytes.length % 2 === 1) bytes.push(0);
    this.out.byte(0x6c); // 'l'
    this.out.byte(n < 0 ? 0x2d : 0x2b); // '-' or '+'
    this.long(bytes.length / 2);
    for (const byte of bytes) this.out.byte(byte);
  }

  private rawBytes(data: Buffer): void {
    this.long(data.length);
    this.out.bytes(data);
  }

  /** A symbol's first appearance writes its name (in `I` with E true if it is not ASCII); later ones link to it by index. */
  private symbol(name: string): void {
    const index = this.symbols.get(name);
    if (index !== undefined) {
      this.out.byte(0x3b); // ';'
      return this.long(index);
    }
    const bytes = Buffer.from(name, 'utf8');
    const ascii = bytes.length === name.length;
    if (!ascii) this.out.byte(0x49); // 'I'
    this.out.byte(0x3a); // ':'
    this.rawBytes(bytes);
    this.symbols.set(name, this.symbols.size);
    if (!ascii) this.encodingIvars('utf8');
  }

  private string(bytes: Buffer, encoding: RubyString['encoding']): void {
    if (encoding !== 'binary') this.out.byte(0x49); // 'I'
    this.out.byte(0x22); // '"'
    this.rawBytes(bytes);
    if (encoding !== 'binary') this.encodingIvars(encoding);
  }

  /** The ivar list after an `I`-wrapped string or symbol: one ivar, `:E` true (UTF-8) or false (US-ASCII). */
  private encodingIvars(encoding: 'utf8' | 'ascii'): void {
    this.long(1);
    this.symbol('E');
    this.value(encoding === 'utf8');
  }

  private array(items: MarshalValue[]): void {
    this.out.byte(0x5b); // '['
    this.long(items.length);
    for (const item of items) this.value(item);
  }

  private hash(entries: Array<[MarshalValue, MarshalValue]>): void {
    this.out.byte(0x7b); // '{'
    this.long(entries.length);
    for (const [key, item] of entries) {
      this.value(key);
      this.value(item);
    }
  }

  private userDump(dump: RubyUserDump): void {
    const ivars = dump.ivars ?? [];
    if (ivars.length > 0) this.out.byte(0x49); // 'I'
    this.out.byte(0x75); // 'u'
    this.symbol(dump.className);
    this.rawBytes(dump.bytes);
    if (ivars.length === 0) return;
    this.long(ivars.length);
    for (const [name, item] of ivars) {
      this.symbol(name.name);
      this.value(item);
    }
  }

  private object(object: RubyObject): void {
    this.out.byte(0x6f); // 'o'
    this.symbol(object.className);
    this.long(object.ivars.length);
    for (const [name, item] of object.ivars) {
      if (!name.startsWith('@')) throw new Error(`instance variable names start with @: ${name}`);
      this.symbol(name);
      this.value(item);
    }
  }
}

/** Marshal.dump(value) in format 4.8: header 04 08, symbols written once and linked with `;` afterwards. Integers must be safe integers; those outside Fixnum's range (-2**30 .. 2**30-1) are written as Bignum (`l`). Throws on non-integral numbers. */
export function marshalDump(value: MarshalValue): Buffer {
  const writer = new MarshalWriter();
  writer.out.byte(4);
  writer.out.byte(8);
  writer.value(value);
  return writer.out.result();
}

/** A String of `text`'s UTF-8 bytes labelled with `encoding` (default 'utf8'); 'binary' is like Ruby's String#b. Throws for non-ASCII text labelled 'ascii'. */
export function rubyString(text: string, encoding: RubyString['encoding'] = 'utf8'): RubyString {
  const bytes = Buffer.from(text, 'utf8');
  if (encoding === 'ascii' && bytes.some((byte) => byte > 0x7f)) throw new Error(`not US-ASCII: ${JSON.stringify(text)}`);
  return { kind: 'string', bytes, encoding };
}

/** A Hash of `entries`, in that order. */
export function rubyHash(entries: Array<[MarshalValue, MarshalValue]>): RubyHash {
  return { kind: 'hash', entries };
}

/**
 * `Time` as Ruby's Time#_dump writes it for a UTC time: two little-endian 32-bit words (marshal.c's
 * time_mdump: a marker bit, the UTC flag, year-1900, month, day and hour; then minute, second and
 * microseconds), with ivar :zone => "UTC" (US-ASCII). A Date holds milliseconds, so the
 * sub-microsecond ivars are never needed. Throws for invalid dates and years outside 1900..67434,
 * which Ruby would write with an extra :year ivar.
 */
export function rubyTime(date: Date): RubyUserDump {
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 1900 || year >= 1900 + 0xffff) throw new Error(`Time out of range: ${String(date)}`);
  const high = ((1 << 31) | (1 << 30) | ((year - 1900) << 14) | (date.getUTCMonth() << 10) | (date.getUTCDate() << 5) | date.getUTCHours()) >>> 0;
  const low = ((date.getUTCMinutes() << 26) | (date.getUTCSeconds() << 20) | (date.getUTCMilliseconds() * 1000)) >>> 0;
  const bytes = Buffer.alloc(8);
  bytes.writeUInt32LE(high, 0);
  bytes.writeUInt32LE(low, 4);
  return { kind: 'user-dump', className: 'Time', bytes, ivars: [[sym('zone'), rubyString('UTC', 'ascii')]] };
}
