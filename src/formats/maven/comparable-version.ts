/**
 * Maven's version ordering, as `org.apache.maven.artifact.versioning.ComparableVersion` of
 * Maven 3.8 defines it: versions split into numbers and qualifiers at `.`, `-` and at every
 * digit/letter transition; a `-` (or a letter/digit transition) opens a sub-list; trailing zeros,
 * empty strings and the release aliases (`ga`, `final`, `release`) are dropped; known qualifiers
 * order as alpha < beta < milestone < rc (= cr) < snapshot < release < sp, unknown qualifiers
 * come after them in lexical (case-insensitive) order, and numbers sort above any qualifier.
 */

type Item = NumberItem | QualifierItem | ListItem;

interface NumberItem {
  kind: 'number';
  value: bigint;
}

interface QualifierItem {
  kind: 'qualifier';
  value: string;
}

interface ListItem {
  kind: 'list';
  items: Item[];
}

const knownQualifiers = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const aliases: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const releaseIndex = String(knownQualifiers.indexOf(''));
const shorthands: Record<string, string> = { a: 'alpha', b: 'beta', m: 'milestone' };

/** A string that orders qualifiers lexically as Maven does: known ones by rank, unknown after. */
function comparableQualifier(qualifier: string): string {
  const index = knownQualifiers.indexOf(qualifier);
  return index === -1 ? `${knownQualifiers.length}-${qualifier}` : String(index);
}

function qualifier(text: string, followedByDigit: boolean): QualifierItem {
  const expanded = followedByDigit && text.length === 1 ? (shorthands[text] ?? text) : text;
  return { kind: 'qualifier', value: Object.hasOwn(aliases, expanded) ? aliases[expanded]! : expanded };
}

function parseItem(isDigit: boolean, text: string): Item {
  return isDigit ? { kind: 'number', value: BigInt(text) } : qualifier(text, false);
}

function isNull(item: Item): boolean {
  switch (item.kind) {
    case 'number':
      return item.value === 0n;
    case 'qualifier':
      return comparableQualifier(item.value) === releaseIndex;
    case 'list':
      return item.items.length === 0;
  }
}

/** Removes trailing null items (0, release qualifiers, empty lists) up to the last non-list item. */
function normalize(list: ListItem): void {
  for (let i = list.items.length - 1; i >= 0; i--) {
    const item = list.items[i]!;
    if (isNull(item)) list.items.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Compares an item with another, or with "nothing" (`null`, when the other version is shorter). */
function compareItems(left: Item, right: Item | null): number {
  switch (left.kind) {
    case 'number':
      if (right === null) return left.value === 0n ? 0 : 1;
      if (right.kind === 'number') return left.value < right.value ? -1 : left.value > right.value ? 1 : 0;
      return 1;
    case 'qualifier':
      if (right === null) return sign(compareStrings(comparableQualifier(left.value), releaseIndex));
      if (right.kind === 'qualifier') return sign(compareStrings(comparableQualifier(left.value), comparableQualifier(right.value)));
      return -1;
    case 'list': {
      if (right === null) {
        for (const item of left.items) {
          const result = compareItems(item, null);
          if (result !== 0) return result;
        }
        return 0;
      }
      if (right.kind === 'number') return -1;
      if (right.kind === 'qualifier') return 1;
      const length = Math.max(left.items.length, right.items.length);
      for (let i = 0; i < length; i++) {
        const l = left.items[i] ?? null;
        const r = right.items[i] ?? null;
        const result = l === null ? (r === null ? 0 : -compareItems(r, null)) : compareItems(l, r);
        if (result !== 0) return result;
      }
      return 0;
    }
  }
}

const isDigitChar = (c: string): boolean => c >= '0' && c <= '9';

/** Parses a version string into Maven's item tree. Never throws: every string is a version. */
export function parseMavenVersion(version: string): ListItem {
  const text = version.toLowerCase();
  const root: ListItem = { kind: 'list', items: [] };
  let list = root;
  const stack: ListItem[] = [root];
  const openSubList = () => {
    const next: ListItem = { kind: 'list', items: [] };
    list.items.push(next);
    list = next;
    stack.push(next);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '.' || c === '-') {
      list.items.push(i === start ? { kind: 'number', value: 0n } : parseItem(isDigit, text.slice(start, i)));
      start = i + 1;
      if (c === '-') openSubList();
    } else if (isDigitChar(c)) {
      if (!isDigit && i > start) {
        // `1.0.0.X1` sorts like `1.0.0-X1`: a qualifier after a dot still opens a sub-list.
        if (list.items.length > 0) openSubList();
        list.items.push(qualifier(text.slice(start, i), true));
        start = i;
        openSubList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(parseItem(true, text.slice(start, i)));
        start = i;
        openSubList();
      }
      isDigit = false;
    }
  }
  if (text.length > start) {
    if (!isDigit && list.items.length > 0) openSubList();
    list.items.push(parseItem(isDigit, text.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop()!);
  return root;
}

/** Orders two Maven versions: negative when `a` < `b`, 0 when Maven deems them equal, positive otherwise. */
export function compareMavenVersions(a: string, b: string): number {
  return compareItems(parseMavenVersion(a), parseMavenVersion(b));
}

/** Maven's canonical spelling of a version (`1.0.0-GA` → `1`), equal for versions that compare equal. */
export function canonicalMavenVersion(version: string): string {
  const render = (list: ListItem): string => {
    let out = '';
    for (const item of list.items) {
      if (out.length > 0) out += item.kind === 'list' ? '-' : '.';
      out += item.kind === 'list' ? render(item) : String(item.value);
    }
    return out;
  };
  return render(parseMavenVersion(version));
}
