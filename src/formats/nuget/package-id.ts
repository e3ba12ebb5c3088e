import { KuraError } from '../../core/errors/catalogue.js';

/** NuGet's PackageIdValidator.MaxPackageIdLength. */
export const maxPackageIdLength = 100;

const allowedCharacters = /^[A-Za-z0-9._-]+$/;
const wordCharacter = /^[A-Za-z0-9_]$/;
/** NuGet's `^\w+([.-]\w+)*$`, restricted to ASCII. */
const idPattern = /^[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*$/;

function invalid(id: string, rule: string): KuraError {
  const shown = id.length > 120 ? `${id.slice(0, 120)}…` : id;
  return new KuraError('INVALID_NAME', `"${shown}" is not a valid NuGet package id: ${rule}`);
}

/**
 * Validates a NuGet package id by NuGet's PackageIdValidator (`^\w+([.-]\w+)*$`, ASCII only):
 * letters, digits, `.`, `_` and `-`; starts and ends with a letter, digit or `_`; `.` and `-`
 * never next to each other or doubled (so no `..`); at most 100 characters. Returns the id as
 * written (its case is kept for display; see {@link packageIdKey} for identity).
 * @throws KuraError INVALID_NAME naming the rule that is broken
 */
export function parsePackageId(id: string): string {
  if (id.length === 0) throw invalid(id, 'it is empty');
  if (id.length > maxPackageIdLength) throw invalid(id, `it is longer than ${maxPackageIdLength} characters`);
  if (!allowedCharacters.test(id)) throw invalid(id, 'only letters, digits, ".", "_" and "-" are allowed');
  if (!wordCharacter.test(id.charAt(0))) throw invalid(id, 'it must start with a letter, a digit or "_"');
  if (id.includes('..')) throw invalid(id, 'it must not contain ".."');
  if (!wordCharacter.test(id.charAt(id.length - 1))) throw invalid(id, 'it must end with a letter, a digit or "_"');
  if (!idPattern.test(id)) throw invalid(id, '"." and "-" must each sit between letters, digits or "_"');
  return id;
}

/** The lower-cased id used in every URL and for uniqueness (NuGet ids are case-insensitive). */
export function packageIdKey(id: string): string {
  return id.toLowerCase();
}
