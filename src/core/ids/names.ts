import { KuraError } from '../errors/catalogue.js';

/** A validated owner (user or organization) login, as typed by its creator. */
export type OwnerLogin = string & { readonly __brand: 'OwnerLogin' };
/** A validated repository name (the part after `OWNER/`). */
export type RepoName = string & { readonly __brand: 'RepoName' };

const ownerPattern = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const repoPattern = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Logins that would collide with Kura's own URL space (DESIGN §2). Compared lower-case.
 */
export const reservedLogins: ReadonlySet<string> = new Set([
  'admin', 'api', 'assets', 'cargo', 'composer', 'explore', 'favicon.ico', 'go', 'healthz', 'help', 'login',
  'logout', 'maven', 'metrics', 'new', 'npm', 'nuget', 'org', 'orgs', 'packages', 'pypi', 'robots.txt',
  'rubygems', 'search', 'settings', 'signup', 'static', 'token', 'user', 'users', 'v2', '-', 'kura',
]);

/** A refused name as a message repeats it: quoted, and cut after 100 characters. */
function quoted(input: string): string {
  return JSON.stringify(input.length > 100 ? `${input.slice(0, 100)}…` : input);
}

/**
 * Parses an owner login: 1–39 characters of letters, digits and single inner hyphens, not reserved.
 * @throws KuraError INVALID_NAME with the rule that was broken.
 */
export function parseOwnerLogin(input: string): OwnerLogin {
  if (!ownerPattern.test(input)) {
    throw new KuraError('INVALID_NAME', `invalid login ${quoted(input)}: use 1-39 letters, digits or single hyphens, not at either end`);
  }
  if (reservedLogins.has(input.toLowerCase())) {
    throw new KuraError('INVALID_NAME', `the login ${quoted(input)} is reserved`);
  }
  return input as OwnerLogin;
}

/**
 * Parses a repository name: 1–100 of letters, digits, `.`, `_`, `-`; not `.` or `..`.
 * @throws KuraError INVALID_NAME
 */
export function parseRepoName(input: string): RepoName {
  if (!repoPattern.test(input) || input === '.' || input === '..') {
    throw new KuraError('INVALID_NAME', `invalid repository name ${quoted(input)}: use 1-100 letters, digits, ".", "_" or "-"`);
  }
  return input as RepoName;
}

/**
 * Splits `OWNER/NAME` into its validated parts.
 * @throws KuraError INVALID_NAME when the shape or either part is wrong.
 */
export function parseRepoPath(input: string): { owner: OwnerLogin; name: RepoName } {
  const parts = input.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new KuraError('INVALID_NAME', `invalid repository ${quoted(input)}: expected OWNER/NAME`);
  }
  return { owner: parseOwnerLogin(parts[0]), name: parseRepoName(parts[1]) };
}
