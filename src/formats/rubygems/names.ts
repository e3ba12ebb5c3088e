import { KuraError } from '../../core/errors/catalogue.js';

const maxNameLength = 128;
const maxPlatformLength = 64;

/**
 * A gem name by Gem::Specification's rules: letters, digits, `.`, `-` and `_`, at least one
 * letter, not starting with `.`, `-` or `_`.
 * @throws KuraError INVALID_NAME naming the rule
 */
export function parseGemName(name: string): string {
  if (name.length === 0 || name.length > maxNameLength) throw new KuraError('INVALID_NAME', `a gem name has 1 to ${maxNameLength} characters`);
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) throw new KuraError('INVALID_NAME', `invalid gem name "${name}": it can only include letters, numbers, dashes, and underscores`);
  if (!/[a-zA-Z]/.test(name)) throw new KuraError('INVALID_NAME', `invalid gem name "${name}": it must include at least one letter`);
  if (/^[._-]/.test(name)) throw new KuraError('INVALID_NAME', `invalid gem name "${name}": it can not begin with a period, dash, or underscore`);
  return name;
}

/**
 * A platform as a gemspec names it: `ruby` for pure gems, else CPU-OS[-VERSION] or one word
 * (`x86_64-linux`, `arm64-darwin-22`, `java`, `x64-mingw-ucrt`).
 * @throws KuraError INVALID_NAME
 */
export function parseGemPlatform(platform: string): string {
  if (platform.length === 0 || platform.length > maxPlatformLength || !/^[a-z0-9_]+(?:-[a-z0-9_.]+){0,3}$/i.test(platform)) {
    throw new KuraError('INVALID_NAME', `invalid gem platform "${platform}" (expected ruby, or CPU-OS such as x86_64-linux)`);
  }
  return platform;
}

/** The full name RubyGems gives a gem file: `NAME-VERSION` or `NAME-VERSION-PLATFORM`. */
export function gemFullName(name: string, version: string, platform: string): string {
  return platform === 'ruby' ? `${name}-${version}` : `${name}-${version}-${platform}`;
}

/** The normalized key of a gem name: names differing only in case are one gem. */
export function gemNameKey(name: string): string {
  return name.toLowerCase();
}
