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
 * to has loaded.
 */
export async function signIn(page: Page, server: KuraServer, login: string, password: string, next?: string): Promise<Response> {
  await page.goto(`${server.url}/login${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`);
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
 * header reading exactly `column`. @throws Error when the table has no such column.
 */
export async function tableCell(table: Locator, rowKey: string, column: string): Promise<Locator> {
  const headers = (await table.getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
  const index = headers.indexOf(column);
  if (index < 0) throw new Error(`the table has no column "${column}"; its headers are ${JSON.stringify(headers)}`);
  const row = table.getByRole('row').filter({ has: table.page().locator('td, th').filter({ hasText: exactly(rowKey) }) });
  return row.locator('td, th').nth(index);
}
