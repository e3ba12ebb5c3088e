/** One interval of an interval-notation range (`[1.0,2.0)`); a missing bound is open-ended. */
export interface Interval {
  lower: { version: string; inclusive: boolean } | null;
  upper: { version: string; inclusive: boolean } | null;
}

/** What a bare version (no brackets) means: exactly that version (Maven) or that version and above (NuGet). */
export type BareVersion = 'exact' | 'minimum';

/**
 * Parses interval notation as Maven and NuGet write ranges: `[1.0,2.0)`, `(,1.0]`, `[1.5,)`,
 * `[1.0]`, several intervals joined by commas (`[1.0,1.2),[1.5,)`), or a bare version.
 * Returns null when the text is not a range; `validVersion` checks each bound.
 */
export function parseIntervals(range: string, bare: BareVersion, validVersion: (version: string) => boolean): Interval[] | null {
  const text = range.replace(/\s+/g, '');
  if (text === '') return null;
  if (!/[[\]()]/.test(text)) {
    if (!validVersion(text)) return null;
    const bound = { version: text, inclusive: true };
    return [{ lower: bound, upper: bare === 'exact' ? bound : null }];
  }
  const intervals: Interval[] = [];
  const pattern = /([[(])([^\][()]*)([\])])(?:,|$)/y;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(text)) !== null) {
    consumed = pattern.lastIndex;
    const [, open, body, close] = match as unknown as [string, string, string, string];
    const parts = body.split(',');
    if (parts.length === 1) {
      if (open !== '[' || close !== ']' || !validVersion(parts[0]!)) return null;
      const bound = { version: parts[0]!, inclusive: true };
      intervals.push({ lower: bound, upper: bound });
      continue;
    }
    if (parts.length !== 2) return null;
    const [low, high] = parts as [string, string];
    if ((low !== '' && !validVersion(low)) || (high !== '' && !validVersion(high)) || (low === '' && high === '')) return null;
    intervals.push({
      lower: low === '' ? null : { version: low, inclusive: open === '[' },
      upper: high === '' ? null : { version: high, inclusive: close === ']' },
    });
  }
  return consumed === text.length && intervals.length > 0 ? intervals : null;
}

/** Whether `version` lies in one of `intervals`, ordered by `compare`. */
export function inIntervals(intervals: readonly Interval[], version: string, compare: (a: string, b: string) => number): boolean {
  return intervals.some(({ lower, upper }) => {
    if (lower) {
      const c = compare(version, lower.version);
      if (c < 0 || (c === 0 && !lower.inclusive)) return false;
    }
    if (upper) {
      const c = compare(version, upper.version);
      if (c > 0 || (c === 0 && !upper.inclusive)) return false;
    }
    return true;
  });
}

/** The interval from `lower` (inclusive; null: open) to `upper` (null: open): `[1.0,2.0)`, `(,2.0]`, `[1.0,)`. */
export function intervalBetween(lower: string | null, upper: { version: string; inclusive: boolean } | null): string {
  return `${lower ? `[${lower}` : '('},${upper ? `${upper.version}${upper.inclusive ? ']' : ')'}` : ')'}`;
}

/** Whether some version lies in one of `a` and in one of `b`, ordered by `compare`. */
export function intervalsOverlap(a: readonly Interval[], b: readonly Interval[], compare: (x: string, y: string) => number): boolean {
  return a.some((x) => b.some((y) => intervalsMeet(x, y, compare)));
}

function intervalsMeet(x: Interval, y: Interval, compare: (a: string, b: string) => number): boolean {
  const lower = higherLower(x.lower, y.lower, compare);
  const upper = lowerUpper(x.upper, y.upper, compare);
  if (!lower || !upper) return true;
  const c = compare(lower.version, upper.version);
  return c < 0 || (c === 0 && lower.inclusive && upper.inclusive);
}

type Bound = Interval['lower'];

function higherLower(a: Bound, b: Bound, compare: (x: string, y: string) => number): Bound {
  if (!a || !b) return a ?? b;
  const c = compare(a.version, b.version);
  return c > 0 ? a : c < 0 ? b : { version: a.version, inclusive: a.inclusive && b.inclusive };
}

function lowerUpper(a: Bound, b: Bound, compare: (x: string, y: string) => number): Bound {
  if (!a || !b) return a ?? b;
  const c = compare(a.version, b.version);
  return c < 0 ? a : c > 0 ? b : { version: a.version, inclusive: a.inclusive && b.inclusive };
}
