import type { PageDependency, PageFact } from '../contract.js';

/**
 * Building a version's page facts from its stored metadata. Every builder takes what the
 * metadata holds and returns null when there is nothing worth showing, so a presenter lists its
 * facts in reading order and {@link presentFacts} leaves the empty ones out.
 */

/** Longest text a fact shows; longer metadata is cut, with an ellipsis. Links are never cut. */
export const maxFactTextLength = 1000;
/** Longest badge or dependency name a fact shows. */
export const maxLabelLength = 200;

/** The facts that are there, in the order given. */
export function presentFacts(facts: ReadonlyArray<PageFact | null>): PageFact[] {
  return facts.filter((fact): fact is PageFact => fact !== null);
}

/** `text` cut to `max` characters (the last one an ellipsis) when it is longer. */
export function shownText(text: string, max: number = maxFactTextLength): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A `text` fact, or null when `text` is not a string with something in it. */
export function textFact(label: string, text: unknown): PageFact | null {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  return trimmed ? { label, kind: 'text', text: shownText(trimmed) } : null;
}

/** A `code` fact (a digest, a revision), or null when `text` is not a string with something in it. */
export function codeFact(label: string, text: unknown): PageFact | null {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  return trimmed ? { label, kind: 'code', text: shownText(trimmed) } : null;
}

/**
 * A `link` to `href` (an address {@link webAddress} accepted), shown in full. Without one,
 * `written` is shown as text unless it names a scheme (`javascript:`, `file:`, `mailto:`…),
 * which is dropped: such an address is neither followed nor worth reading.
 */
export function addressFact(label: string, href: string | null, written: unknown): PageFact | null {
  if (href) return { label, kind: 'link', text: href, href };
  if (typeof written !== 'string' || /^\s*[a-z][a-z0-9+.-]*:/i.test(written)) return null;
  return textFact(label, written);
}

/** A `size` fact, or null when there is no size or it is zero. */
export function sizeFact(label: string, bytes: number | null): PageFact | null {
  return bytes !== null && bytes > 0 ? { label, kind: 'size', bytes } : null;
}

/** A `count` fact, or null when there is nothing to count. */
export function countFact(label: string, count: number | null): PageFact | null {
  return count !== null && count > 0 ? { label, kind: 'count', count } : null;
}

/** A `labels` fact of the distinct texts, in order, or null when there are none. */
export function labelsFact(label: string, texts: readonly string[]): PageFact | null {
  const items = [...new Set(texts.map((text) => text.trim()).filter(Boolean))].map((text) => ({ text: shownText(text, maxLabelLength) }));
  return items.length > 0 ? { label, kind: 'labels', items } : null;
}

/**
 * One dependency as a `dependencies` fact lists it: name and requirement cut to a readable
 * length, and the note and hosted package only when there are any.
 */
export function pageDependency(name: string, requirement: string, extra: { note?: string | null; package?: PageDependency['package'] | null } = {}): PageDependency {
  return {
    name: shownText(name, maxLabelLength),
    requirement: shownText(requirement, maxLabelLength),
    ...(extra.note ? { note: extra.note } : {}),
    ...(extra.package ? { package: extra.package } : {}),
  };
}

/** A `dependencies` fact, or null when there are none. */
export function dependenciesFact(label: string, items: readonly PageDependency[]): PageFact | null {
  return items.length > 0 ? { label, kind: 'dependencies', items: [...items] } : null;
}
