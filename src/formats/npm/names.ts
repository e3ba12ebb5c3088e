import semver from 'semver';
import validateName from 'validate-npm-package-name';
import { KuraError } from '../../core/errors/catalogue.js';
import { rememberParses } from '../shared/remembered-parses.js';

/** A validated scoped npm package name. */
export interface NpmName {
  /** `@scope/name`, as published (npm names are lower-case). */
  full: string;
  /** The scope without `@`: the owner's login, lower-case. */
  scope: string;
  /** The part after the slash; tarballs are named `<bare>-<version>.tgz`. */
  bare: string;
}

/**
 * Parses a package name as it appears in a URL path segment or a document. `%2f`/`%2F` are
 * accepted for the slash. Kura hosts only scoped packages: the scope is the owner.
 * @throws KuraError INVALID_NAME naming the broken rule.
 */
export const parseNpmName: (input: string) => Readonly<NpmName> = rememberParses((input) => Object.freeze(validate(input)), { limit: 10_000, maxLength: 512 });

function validate(input: string): NpmName {
  const name = input.replace(/%2f/gi, '/');
  const result = validateName(name);
  if (!result.validForNewPackages) {
    const reason = [...(result.errors ?? []), ...(result.warnings ?? [])][0] ?? 'invalid name';
    throw new KuraError('INVALID_NAME', `invalid package name "${name}": ${reason}`);
  }
  const match = /^@([^/]+)\/([^/]+)$/.exec(name);
  if (!match) {
    throw new KuraError('INVALID_NAME', `"${name}" is not scoped: Kura hosts @OWNER/NAME packages (the scope is the user or organization)`);
  }
  return { full: name, scope: match[1]!, bare: match[2]! };
}

/** The URL path of a package: `/npm/@scope/name`. */
export function packagePath(name: NpmName): string {
  return `/npm/@${name.scope}/${name.bare}`;
}

/** The tarball file name npm expects for a version. */
export function tarballFileName(name: NpmName, version: string): string {
  return `${name.bare}-${version}.tgz`;
}

const distTagPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Checks a dist-tag name, as npm does: URL-safe (letters, digits, `.`, `_`, `-`, up to 64,
 * starting with a letter or digit) and not a valid semver range (`1`, `1.x`, `x`, `v2`,
 * `1.0.0`), which `npm install NAME@TAG` would read as a range instead of the tag.
 * @throws KuraError INVALID_NAME naming the broken rule.
 */
export function parseDistTag(tag: string): string {
  if (!distTagPattern.test(tag)) {
    throw new KuraError('INVALID_NAME', `invalid dist-tag "${tag.slice(0, 80)}": use up to 64 letters, digits, ".", "_" and "-", starting with a letter or digit`);
  }
  if (semver.validRange(tag) !== null) {
    throw new KuraError('INVALID_NAME', `invalid dist-tag "${tag}": a tag cannot be a valid semver range, or npm install NAME@${tag} would read it as one`);
  }
  return tag;
}
