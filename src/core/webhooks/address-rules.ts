import { isIP } from 'node:net';

/**
 * Which network addresses webhooks may not reach (server-side request forgery): the server's
 * own loopback, the cloud metadata service on link-local addresses, private networks and the
 * like. A pure classification of IP literals; resolving names and connecting is the sender's.
 */

/** Why an address is refused: the rule's name and the range it matched. */
export interface RefusedRange {
  rule: string;
  range: string;
}

interface V4Rule { rule: string; range: string; base: number; bits: number }

const v4 = (rule: string, range: string): V4Rule => {
  const [address, bits] = range.split('/');
  return { rule, range, base: parseV4(address!)!, bits: Number(bits) };
};

const v4Rules: readonly V4Rule[] = [
  v4('unspecified', '0.0.0.0/8'),
  v4('private', '10.0.0.0/8'),
  v4('shared (CGNAT)', '100.64.0.0/10'),
  v4('loopback', '127.0.0.0/8'),
  v4('link-local', '169.254.0.0/16'),
  v4('private', '172.16.0.0/12'),
  v4('reserved', '192.0.0.0/24'),
  v4('private', '192.168.0.0/16'),
  v4('benchmarking', '198.18.0.0/15'),
  v4('multicast', '224.0.0.0/4'),
  v4('reserved', '240.0.0.0/4'),
];

/** A dotted-quad IPv4 address as an unsigned 32-bit number, or null. */
function parseV4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

/** An IPv6 address as its eight 16-bit groups (an embedded dotted quad counts as two), or null. */
function parseV6(text: string): number[] | null {
  let body = text.toLowerCase().split('%')[0]!;
  let tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  const last = body.slice(lastColon + 1);
  if (last.includes('.')) {
    const quad = parseV4(last);
    if (quad === null) return null;
    tail = [quad >>> 16, quad & 0xffff];
    body = body.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const split = (half: string) => (half === '' ? [] : half.split(':'));
  const head = split(halves[0]!);
  const rest = halves.length === 2 ? split(halves[1]!) : [];
  const groups = [...head, ...rest];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  const numbers = groups.map((g) => parseInt(g, 16));
  const fill = 8 - numbers.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  return [...numbers.slice(0, head.length), ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...numbers.slice(head.length), ...tail];
}

function refusedV4(address: number): RefusedRange | null {
  for (const rule of v4Rules) {
    const size = 2 ** (32 - rule.bits);
    if (Math.floor(address / size) === Math.floor(rule.base / size)) return { rule: rule.rule, range: rule.range };
  }
  return null;
}

function refusedV6(groups: readonly number[]): RefusedRange | null {
  const [a, b, c, d, e, f, g, h] = groups as [number, number, number, number, number, number, number, number];
  const embedded = g * 65536 + h;
  const zeroPrefix = a === 0 && b === 0 && c === 0 && d === 0 && e === 0;
  if (zeroPrefix && f === 0 && g === 0 && h === 0) return { rule: 'unspecified', range: '::/128' };
  if (zeroPrefix && f === 0 && g === 0 && h === 1) return { rule: 'loopback', range: '::1/128' };
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses reach the IPv4 address.
  if (zeroPrefix && (f === 0xffff || f === 0)) return refusedV4(embedded);
  // IPv4-translated (::ffff:0:a.b.c.d, SIIT) and NAT64 (64:ff9b::a.b.c.d) reach the embedded IPv4 address too.
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0xffff && f === 0) return refusedV4(embedded);
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) return refusedV4(embedded);
  // Local-use NAT64 translates into the operator's own networks, whatever address it embeds.
  if (a === 0x64 && b === 0xff9b && c === 1) return { rule: 'private', range: '64:ff9b:1::/48' };
  // 6to4 (2002:AABB:CCDD::) embeds an IPv4 address in its second and third groups.
  if (a === 0x2002) return refusedV4(b * 65536 + c);
  if ((a & 0xffc0) === 0xfe80) return { rule: 'link-local', range: 'fe80::/10' };
  if ((a & 0xffc0) === 0xfec0) return { rule: 'site-local', range: 'fec0::/10' };
  if ((a & 0xfe00) === 0xfc00) return { rule: 'private', range: 'fc00::/7' };
  if ((a & 0xff00) === 0xff00) return { rule: 'multicast', range: 'ff00::/8' };
  if (a === 0x100 && b === 0 && c === 0 && d === 0) return { rule: 'discard-only', range: '100::/64' };
  if (a === 0x2001 && b === 0xdb8) return { rule: 'documentation', range: '2001:db8::/32' };
  return null;
}

/**
 * The rule that refuses an IP address as a webhook target, or null for a public address.
 * @throws Error when `address` is not an IP address
 */
export function refusedAddress(address: string): RefusedRange | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare.split('%')[0]!);
  if (family === 4) return refusedV4(parseV4(bare)!);
  if (family === 6) {
    const groups = parseV6(bare);
    if (!groups) throw new Error(`not an IP address: ${address}`);
    return refusedV6(groups);
  }
  throw new Error(`not an IP address: ${address}`);
}

/** Whether `host` (a URL's hostname, IPv6 in brackets or not) is an IP literal. */
export function isIpLiteral(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isIP(bare) !== 0;
}

/** A hostname without IPv6 brackets, lower-cased. */
export function bareHost(host: string): string {
  return (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host).toLowerCase();
}

/**
 * The hosts an operator allows webhooks to reach although their addresses are refused
 * (`KURA_WEBHOOK_ALLOWED_HOSTS`): `host` (any port) or `host:port`, IPv6 as `[::1]:8080` or `::1`.
 */
export class AllowedHosts {
  private readonly entries: ReadonlyArray<{ host: string; port: string | null }>;

  constructor(list: readonly string[]) {
    this.entries = list.map((item) => parseAllowed(item));
  }

  /**
   * Whether `host` (a name or an address) on `port` is listed.
   */
  allows(host: string, port: string): boolean {
    const bare = bareHost(host);
    return this.entries.some((e) => e.host === bare && (e.port === null || e.port === port));
  }

  get size(): number {
    return this.entries.length;
  }
}

/** @throws Error for an entry that is not `host` or `host:port` */
function parseAllowed(item: string): { host: string; port: string | null } {
  const text = item.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.%]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ?? null };
  if (isIP(text) === 6) return { host: text, port: null };
  const plain = /^([a-z0-9._-]+)(?::(\d{1,5}))?$/.exec(text);
  if (!plain) throw new Error(`invalid allowed webhook host "${item}": use host or host:port`);
  return { host: plain[1]!, port: plain[2] ?? null };
}

/** The port a URL reaches: its explicit port or its scheme's default. */
export function urlPort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}
