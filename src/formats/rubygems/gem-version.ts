import { KuraError } from '../../core/errors/catalogue.js';

/** Gem::Version::VERSION_PATTERN, anchored (RubyGems lib/rubygems/version.rb). */
const versionPattern = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const maxVersionLength = 128;

/**
 * A RubyGems version as `gem build` writes it (`1.0.0`, `2.1.0.pre.1`, `0.9-rc1`).
 * @throws KuraError INVALID_VERSION naming the rule
 */
export function parseGemVersion(text: string): string {
  if (text.length === 0 || text.length > maxVersionLength || !versionPattern.test(text)) {
    throw new KuraError('INVALID_VERSION', `"${text}" is not a valid RubyGems version (digits and letters separated by dots, e.g. 1.0.0 or 1.0.0.pre)`);
  }
  return text;
}

/** A prerelease has a letter in it (Gem::Version#prerelease?). */
export function isPrereleaseVersion(version: string): boolean {
  return /[a-zA-Z]/.test(version);
}

type Segment = number | string;

/** Gem::Version#canonical_segments: numeric and string parts, trailing zeros of each part dropped. */
function canonicalSegments(version: string): Segment[] {
  const segments: Segment[] = (version.replace(/-/g, '.pre.').match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const firstString = segments.findIndex((s) => typeof s === 'string');
  const numeric = firstString === -1 ? segments : segments.slice(0, firstString);
  const strings = firstString === -1 ? [] : segments.slice(firstString);
  const trim = (part: Segment[]) => {
    let end = part.length;
    while (end > 0 && part[end - 1] === 0) end--;
    return part.slice(0, end);
  };
  return [...trim(numeric), ...trim(strings)];
}

/** Orders two versions as Gem::Version#<=> does (`1.0.a` < `1.0` = `1.0.0` < `1.0.1`). */
export function compareGemVersions(a: string, b: string): number {
  if (a === b) return 0;
  const left = canonicalSegments(a);
  const right = canonicalSegments(b);
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const l = left[i] ?? 0;
    const r = right[i] ?? 0;
    if (l === r) continue;
    if (typeof l === 'string' && typeof r === 'number') return -1;
    if (typeof l === 'number' && typeof r === 'string') return 1;
    return l < r ? -1 : 1;
  }
  return 0;
}
