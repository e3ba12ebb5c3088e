/**
 * Reading fields of a version's stored metadata document without trusting its shape: versions
 * stored by older releases, or published by clients that write odd values, may hold anything
 * where a field is expected. Each reader returns the expected type or nothing, and never throws.
 */

/** `value` when it is a plain object (not null, not an array), else null. */
export function recordOf(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** `value` trimmed when it is a string with something in it, else null. */
export function textOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : null;
}

/** The non-empty strings of an array (trimmed, in order); nothing for anything else. */
export function textsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(textOf).filter((text): text is string => text !== null);
}

/** `value` when it is a whole, non-negative, safe number (a size, a count), else null. */
export function countOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** The elements of an array that are plain objects; nothing for anything else. */
export function recordsOf(value: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(value)) return [];
  return value.map(recordOf).filter((record): record is Record<string, unknown> => record !== null);
}
