import type { Interval } from '../shared/interval-range.js';
import { compareGemVersions } from './gem-version.js';

const versionPattern = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
type Operator = '=' | '!=' | '>' | '<' | '>=' | '<=' | '~>';

/** A Gem::Requirement as written in advisories and gemspecs: `>= 1.0, < 1.2`, `~> 2.1`. Null when malformed. */
export function parseGemRequirement(text: string): Array<[Operator, string]> | null {
  const parts = text.split(',').map((p) => p.trim());
  const result: Array<[Operator, string]> = [];
  for (const part of parts) {
    const match = /^(=|!=|>=|<=|>|<|~>)?\s*(\S+)$/.exec(part);
    if (!match || !versionPattern.test(match[2]!)) return null;
    result.push([(match[1] ?? '=') as Operator, match[2]!]);
  }
  return result.length > 0 ? result : null;
}

/** The upper bound `~> V` implies (Gem::Version#bump): drop the last segment, increment the new last one. */
function pessimisticCeiling(version: string): string {
  const segments = version.split('.').filter((s) => /^\d+$/.test(s));
  if (segments.length > 1) segments.pop();
  segments[segments.length - 1] = String(Number(segments[segments.length - 1]) + 1);
  return segments.join('.');
}

/** Gem::Version#release: the version without its prerelease part (`1.2.0.a` → `1.2.0`). */
function releaseOf(version: string): string {
  const segments = version.replace(/-/g, '.pre.').split('.');
  const firstLetter = segments.findIndex((s) => /[a-zA-Z]/.test(s));
  return firstLetter === -1 ? version : segments.slice(0, Math.max(firstLetter, 1)).join('.');
}

/** Whether `version` satisfies every part of `requirement` (Gem::Requirement#satisfied_by?). */
export function gemRequirementAdmits(requirement: ReadonlyArray<[Operator, string]>, version: string): boolean {
  return requirement.every(([op, bound]) => {
    const c = compareGemVersions(version, bound);
    switch (op) {
      case '=': return c === 0;
      case '!=': return c !== 0;
      case '>': return c > 0;
      case '<': return c < 0;
      case '>=': return c >= 0;
      case '<=': return c <= 0;
      case '~>': return c >= 0 && compareGemVersions(releaseOf(version), pessimisticCeiling(bound)) < 0;
    }
  });
}

/**
 * The one interval a requirement's parts leave together (`!=` parts are ignored, so the interval
 * may hold versions the requirement refuses): what overlap checks between ranges use.
 */
export function gemRequirementInterval(requirement: ReadonlyArray<[Operator, string]>): Interval {
  let interval: Interval = { lower: null, upper: null };
  const tighten = (lower: Interval['lower'], upper: Interval['upper']) => {
    if (lower && (!interval.lower || compareGemVersions(lower.version, interval.lower.version) > 0 || (compareGemVersions(lower.version, interval.lower.version) === 0 && !lower.inclusive))) interval = { ...interval, lower };
    if (upper && (!interval.upper || compareGemVersions(upper.version, interval.upper.version) < 0 || (compareGemVersions(upper.version, interval.upper.version) === 0 && !upper.inclusive))) interval = { ...interval, upper };
  };
  for (const [op, bound] of requirement) {
    switch (op) {
      case '=': tighten({ version: bound, inclusive: true }, { version: bound, inclusive: true }); break;
      case '>': tighten({ version: bound, inclusive: false }, null); break;
      case '>=': tighten({ version: bound, inclusive: true }, null); break;
      case '<': tighten(null, { version: bound, inclusive: false }); break;
      case '<=': tighten(null, { version: bound, inclusive: true }); break;
      case '~>': tighten({ version: bound, inclusive: true }, { version: pessimisticCeiling(bound), inclusive: false }); break;
      case '!=': break;
    }
  }
  return interval;
}
