import { KuraError } from '../../core/errors/catalogue.js';

/** A NuGet version, parsed by NuGet's SemVer 2 rules (NuGet.Versioning). */
export interface NuGetVersion {
  major: number;
  minor: number;
  patch: number;
  /** The fourth, legacy part; 0 when absent. */
  revision: number;
  /** Release labels, as written (compared case-insensitively). */
  release: string[];
  /** Build metadata, not part of identity. */
  metadata: string | null;
  /** The text as given. */
  original: string;
}

/** NuGet.org refuses longer versions; nothing legitimate comes close. */
const maxVersionLength = 128;
/** Each numeric part is a .NET `int`. */
const maxPart = 2_147_483_647;

const versionPattern = /^(\d+(?:\.\d+){0,3})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const numericLabel = /^\d+$/;

function invalid(text: string, why: string): KuraError {
  const shown = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  return new KuraError('INVALID_VERSION', `"${shown}" is not a valid NuGet version: ${why}`);
}

/**
 * Parses a NuGet version: 1 to 4 dot-separated numeric parts (leading zeros allowed), then
 * optionally `-` and dot-separated release labels of `[0-9A-Za-z-]` (a purely numeric label may
 * not have a leading zero, as in SemVer 2), then optionally `+` and dot-separated build metadata
 * of the same characters. No surrounding spaces, no `v` prefix, at most 128 characters.
 * @throws KuraError INVALID_VERSION
 */
export function parseNuGetVersion(text: string): NuGetVersion {
  if (text.length === 0) throw invalid(text, 'it is empty');
  if (text.length > maxVersionLength) throw invalid(text, `it is longer than ${maxVersionLength} characters`);
  const match = versionPattern.exec(text);
  if (!match) throw invalid(text, 'expected 1 to 4 numeric parts, optional -release labels and optional +metadata');
  const [, numbers = '', release, metadata] = match;
  const parts = numbers.split('.').map(Number);
  if (parts.some((part) => part > maxPart)) throw invalid(text, `a numeric part is larger than ${maxPart}`);
  const labels = release === undefined ? [] : release.split('.');
  if (labels.some((label) => numericLabel.test(label) && label.length > 1 && label.startsWith('0'))) {
    throw invalid(text, 'a numeric release label has a leading zero');
  }
  const [major = 0, minor = 0, patch = 0, revision = 0] = parts;
  return { major, minor, patch, revision, release: labels, metadata: metadata ?? null, original: text };
}

function normalizedCore(version: NuGetVersion): string {
  const numbers = [version.major, version.minor, version.patch];
  if (version.revision !== 0) numbers.push(version.revision);
  const release = version.release.length > 0 ? `-${version.release.join('.')}` : '';
  return `${numbers.join('.')}${release}`;
}

/**
 * The normalized string NuGet uses in URLs and identity: leading zeros dropped, the 4th part only
 * when non-zero, `-release` kept (case preserved), `+metadata` dropped; e.g. "01.002.0003.0" →
 * "1.2.3", "1.0.0.4" → "1.0.0.4", "1.0-Beta.1+git" → "1.0.0-Beta.1".
 * @throws KuraError INVALID_VERSION
 */
export function normalizeNuGetVersion(text: string): string {
  return normalizedCore(parseNuGetVersion(text));
}

/**
 * The normalized string with its build metadata (what the registration `version` field shows
 * for SemVer 2 packages): "1.0.0-beta+git".
 * @throws KuraError INVALID_VERSION
 */
export function fullNuGetVersion(text: string): string {
  const version = parseNuGetVersion(text);
  const core = normalizedCore(version);
  return version.metadata === null ? core : `${core}+${version.metadata}`;
}

/** Orders two labels of digits only, which have no leading zeros: the longer is larger. */
function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** NuGet's label order: numeric labels numerically and below alphanumeric ones, which compare ordinally ignoring case. */
function compareLabel(a: string, b: string): number {
  const aNumeric = numericLabel.test(a);
  const bNumeric = numericLabel.test(b);
  if (aNumeric && bNumeric) return compareDigits(a, b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  const upperA = a.toUpperCase();
  const upperB = b.toUpperCase();
  return upperA < upperB ? -1 : upperA > upperB ? 1 : 0;
}

/** No labels sorts above any labels; otherwise part by part, and a shorter list that is a prefix sorts first. */
function compareRelease(a: string[], b: string[]): number {
  if (a.length === 0 && b.length === 0) return 0;
  if (a.length === 0) return 1;
  if (b.length === 0) return -1;
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const order = compareLabel(a[i] ?? '', b[i] ?? '');
    if (order !== 0) return order;
  }
  return Math.sign(a.length - b.length);
}

/** Compares two parsed versions in NuGet's order; build metadata is ignored. Returns -1, 0 or 1. */
export function compareParsedNuGetVersions(a: NuGetVersion, b: NuGetVersion): number {
  const numbers = [a.major - b.major, a.minor - b.minor, a.patch - b.patch, a.revision - b.revision];
  const first = numbers.find((difference) => difference !== 0);
  if (first !== undefined) return Math.sign(first);
  return compareRelease(a.release, b.release);
}

/**
 * Compares two versions in NuGet's order: numeric parts, then release labels (no label sorts
 * above any label; labels compare part by part, numeric parts numerically and below
 * alphanumeric ones, case-insensitively). Build metadata is ignored, so 0 means same identity.
 * Returns -1, 0 or 1. @throws KuraError INVALID_VERSION
 */
export function compareNuGetVersions(a: string, b: string): number {
  return compareParsedNuGetVersions(parseNuGetVersion(a), parseNuGetVersion(b));
}

/** Whether the version has release labels. @throws KuraError INVALID_VERSION */
export function isPrereleaseNuGet(text: string): boolean {
  return parseNuGetVersion(text).release.length > 0;
}

/**
 * SemVer level: 2 when the version has a dotted release label (more than one label) or build
 * metadata, else 1 (what NuGet's `semVerLevel=2.0.0` filtering keys on).
 * @throws KuraError INVALID_VERSION
 */
export function semVerLevel(text: string): 1 | 2 {
  const version = parseNuGetVersion(text);
  return version.release.length > 1 || version.metadata !== null ? 2 : 1;
}
