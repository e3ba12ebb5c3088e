import type { Locator, Page, Response } from 'playwright-core';
import type { KuraServer } from '../../e2e/support/kura-server.js';

/** The web path of a package page (`/OWNER/-/packages/FORMAT/NAME`, the name URL-encoded). */
export function packagePath(owner: string, format: string, name: string): string {
  return `/${owner}/-/packages/${format}/${encodeURIComponent(name)}`;
}

/** Creates a user who can sign in with `password` (`kura user create LOGIN --password-stdin`). */
export async function createUserWithPassword(server: KuraServer, login: string, password: string): Promise<void> {
  await server.kura(['user', 'create', login, '--password-stdin'], `${password}\n`);
}

/** Whether a response is the answer to a POST of a form to `path` (the first hop, before any redirect is followed). */
export function isFormPost(response: Response, path: string): boolean {
  return response.request().method() === 'POST' && new URL(response.url()).pathname === path;
}

/**
 * Opens `/login` (with `?next=` when given), fills the form through its labels, presses
 * "Sign in" and resolves to the answer to the POST (a 303 on success), once the page it leads
 * to has loaded. @throws Error when /login does not answer 200
 */
export async function signIn(page: Page, server: KuraServer, login: string, password: string, next?: string): Promise<Response> {
  const form = await page.goto(`${server.url}/login${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`);
  if (form?.status() !== 200) throw new Error(`GET /login answered ${form?.status()}, not the sign-in form`);
  await page.getByLabel('Username').fill(login);
  await page.getByLabel('Password').fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => isFormPost(r, '/login')),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regular expression matching exactly `text`, give or take surrounding white space. */
export function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`);
}

/**
 * The cell of `table` in the row that has a cell reading exactly `rowKey`, under the column
 * header reading exactly `column` (or matching it). @throws Error when the table has no such column.
 */
export async function tableCell(table: Locator, rowKey: string, column: string | RegExp): Promise<Locator> {
  const headers = (await table.getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
  const index = headers.findIndex((h) => (typeof column === 'string' ? h === column : column.test(h)));
  if (index < 0) throw new Error(`the table has no column "${column}"; its headers are ${JSON.stringify(headers)}`);
  const row = table.getByRole('row').filter({ has: table.page().locator('td, th').filter({ hasText: exactly(rowKey) }) });
  return row.locator('td, th').nth(index);
}

/** One line of `kura token list --user LOGIN`. */
export interface TokenListing {
  id: number;
  name: string;
  scopes: string[];
  state: 'active' | 'revoked' | 'expired';
  /** The expiry time (ISO 8601), or null for a token that never expires. */
  expiresAt: string | null;
  /** When the token was last used (ISO 8601), or null. */
  lastUsedAt: string | null;
}

/** The user's tokens as `kura token list` prints them (id, prefix, name, scopes, state, expires, last used; tab-separated). */
export async function listTokens(server: KuraServer, login: string): Promise<TokenListing[]> {
  const listing = await server.kura(['token', 'list', '--user', login]);
  if (listing === `${login} has no tokens`) return [];
  return listing.split('\n').map((line) => {
    const [id, , name, scopes, state, expires, lastUsed] = line.split('\t');
    const expiresAt = expires?.replace(/^expires /, '') ?? 'never';
    const lastUsedAt = lastUsed?.replace(/^last used /, '') ?? 'never';
    return {
      id: Number(id),
      name: name ?? '',
      scopes: scopes ? scopes.split(',') : [],
      state: state as TokenListing['state'],
      expiresAt: expiresAt === 'never' ? null : expiresAt,
      lastUsedAt: lastUsedAt === 'never' ? null : lastUsedAt,
    };
  });
}

/** The scope checkboxes of the "New token" form, by value. */
export const tokenScopes = ['read:packages', 'write:packages', 'delete:packages'] as const;

/** What the tokens page shows once after a token is created. */
export interface NewToken {
  /** The token, from `<code id="new-token">`. */
  token: string;
  /** The `.npmrc` snippet shown with it (the `<pre>` holding the token and the server's URL). */
  npmrc: string;
  /** The answer to the form's POST. */
  response: Response;
}

/**
 * Opens /settings/tokens, fills the "New token" form through its labels (the scope boxes by
 * value: exactly `scopes` end up ticked), presses "Create token" and reads the token and the
 * `.npmrc` snippet off the page it leads to. @throws Error when the page does not answer 200 or shows no snippet.
 */
export async function createTokenInBrowser(
  page: Page, server: KuraServer, spec: { name: string; scopes: readonly string[]; expires: string; repository?: string },
): Promise<NewToken> {
  const shown = await page.goto(`${server.url}/settings/tokens`);
  if (shown?.status() !== 200) throw new Error(`GET /settings/tokens answered ${shown?.status()}`);
  const form = page.getByRole('form', { name: 'New token' });
  await form.getByLabel('Name', { exact: true }).fill(spec.name);
  for (const scope of tokenScopes) await form.locator(`input[type="checkbox"][name="scopes"][value="${scope}"]`).setChecked(spec.scopes.includes(scope));
  await form.getByLabel('Expires', { exact: true }).selectOption(spec.expires);
  if (spec.repository !== undefined) await form.getByLabel('Repository', { exact: true }).fill(spec.repository);
  const [response] = await Promise.all([
    page.waitForResponse((r) => isFormPost(r, '/settings/tokens')),
    form.getByRole('button', { name: 'Create token', exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
  const token = (await page.locator('code#new-token').innerText()).trim();
  const snippets = page.locator('pre').filter({ hasText: token }).filter({ hasText: server.url });
  if ((await snippets.count()) === 0) throw new Error(`no <pre> holds both the token and ${server.url}; the page reads:\n${await page.locator('body').innerText()}`);
  return { token, npmrc: await snippets.first().innerText(), response };
}

/** Presses the header's "Sign out" button and resolves to the answer to the POST to /logout, once the next page has loaded. */
export async function signOut(page: Page): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => isFormPost(r, '/logout')),
    page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}
