import { ociError } from './errors.js';

/** An image path `OWNER/IMAGE[/…]` as it appears after `/v2/`. */
export interface ImageName {
  /** The owner login, lower-case as OCI names are. */
  owner: string;
  /** The package name: the path after the owner, e.g. `app` or `tools/cli`. */
  image: string;
  /** `owner/image` */
  full: string;
}

const component = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const namePattern = new RegExp(`^${component}(?:/${component})+$`);
const imagePattern = new RegExp(`^${component}(?:/${component})*$`);
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** The distribution spec's bound on a repository name. */
const maxNameLength = 255;

/**
 * Parses `OWNER/IMAGE[/…]`: lower-case path components of letters and digits joined by `.`,
 * `_`, `__` or dashes, at least two of them (the owner and the image).
 * @throws KuraError NAME_INVALID naming the rule that was broken.
 */
export function parseImageName(path: string): ImageName {
  if (path.length > maxNameLength) throw ociError('NAME_INVALID', `the repository name is longer than ${maxNameLength} characters`, { name: path.slice(0, 64) });
  if (!namePattern.test(path)) {
    throw ociError('NAME_INVALID', `invalid repository name "${path}": use OWNER/IMAGE with lower-case letters, digits and single separators (., _, __, -) inside components`, { name: path });
  }
  const slash = path.indexOf('/');
  return { owner: path.slice(0, slash), image: path.slice(slash + 1), full: path };
}

/** The normalized package name for the REST API (the image path after the owner), or null. */
export function normalizeImage(name: string): string | null {
  const lower = name.toLowerCase();
  return imagePattern.test(lower) && lower.length < maxNameLength ? lower : null;
}

/** Whether `tag` is a valid tag: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. */
export function isValidTag(tag: string): boolean {
  return tagPattern.test(tag);
}
