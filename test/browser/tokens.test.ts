import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { npm } from '../e2e/support/clients.js';
import { startKuraServer, type KuraServer } from '../e2e/support/kura-server.js';
import { pollUntil } from '../e2e/support/poll.js';
import { expectFailure, expectSuccess } from '../e2e/support/process.js';
import { greetingFor, greetingOf, writeConsumer, writeLibrary } from '../e2e/support/projects.js';
import { Workspace } from '../e2e/support/workspace.js';
import {
  axeViolations, describeViolations, hasHorizontalScroll, launchBrowser, openTab, saveScreenshot, skipWithoutChromium, viewports, type BrowserTab,
} from './support/browser.js';
import {
  createTokenInBrowser, createUserWithPassword, exactly, listTokens, packagePath, signIn, signOut, tableCell, tokenScopes,
} from './support/kura-pages.js';

const password = 'correct horse battery staple';
const day = 86_400_000;

/** The table of tokens on /settings/tokens: the one with a "Revoke" button in it. */
const tokenTable = (page: Page) => page.getByRole('table').filter({ has: page.getByRole('button', { name: 'Revoke' }) });

/** The row of the token table naming `name`. */
const tokenRow = (page: Page, name: string) => tokenTable(page).getByRole('row').filter({ has: page.locator('td, th').filter({ hasText: exactly(name) }) });

/** The header of the token table's "last used" column, however it is worded ("Last used", "Last use"). */
const lastUsedColumn = /^last us/i;

/** Where npm puts the project configuration it reads: `.npmrc` in `dir`, the page's snippet verbatim plus the usual quiet settings. */
async function writeSnippetNpmrc(dir: string, snippet: string): Promise<void> {
  await writeFile(join(dir, '.npmrc'), `${snippet.trim()}\naudit=false\nfund=false\n`);
}

describe('API tokens in Chromium, used with the real npm', { skip: skipWithoutChromium, timeout: 600_000 }, () => {
  let server: KuraServer;
  let workspace: Workspace;
  let browser: Browser;
  const tabs: BrowserTab[] = [];

  /** A new tab signed in as `login` (dialogs accepted, for pages that ask for confirmation). */
  async function signedIn(login: string, viewport: { width: number; height: number } = viewports.desktop): Promise<BrowserTab> {
    const tab = await openTab(browser, { viewport, acceptDialogs: true });
    tabs.push(tab);
    const response = await signIn(tab.page, server, login, password);
    assert.equal(response.status(), 303, `signing in as ${login} answered ${response.status()}`);
    return tab;
  }

  before(async () => {
    server = await startKuraServer({ KURA_DOWNLOAD_FLUSH_MS: '50' });
    workspace = await Workspace.create();
    browser = await launchBrowser();
    for (const login of ['alice', 'erin', 'frank']) await createUserWithPassword(server, login, password);
    await server.kura(['repo', 'create', 'alice/secret', '--private']);
  }, { timeout: 120_000 });

  after(async () => {
    for (const tab of tabs) await tab.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await workspace?.remove();
  }, { timeout: 60_000 });

  it('/settings/tokens has a "New token" form: Name, the three scope boxes, Expires (7, 30, 90, 365, never), an optional Repository and "Create token"', async () => {
    const { page } = await signedIn('erin');
    const response = await page.goto(`${server.url}/settings/tokens`);
    assert.equal(response?.status(), 200);
    const form = page.getByRole('form', { name: 'New token' });
    assert.equal(await form.count(), 1, 'no form named "New token" (aria-labelledby its heading, or aria-label)');
    assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'post');
    assert.equal(new URL((await form.getAttribute('action')) ?? '', server.url).pathname, '/settings/tokens');
    assert.equal(await form.locator('input[type="hidden"][name="csrf"]').count(), 1);

    assert.equal(await form.getByLabel('Name', { exact: true }).getAttribute('name'), 'name');
    const boxes = form.locator('input[type="checkbox"][name="scopes"]');
    const values: string[] = [];
    for (const box of await boxes.all()) values.push((await box.getAttribute('value')) ?? '');
    assert.deepEqual(values, [...tokenScopes]);
    assert.equal(await form.getByRole('checkbox', { name: /\S/ }).count(), 3, 'a scope box has no label');

    const expires = form.getByLabel('Expires', { exact: true });
    assert.equal(await expires.evaluate((el: { tagName: string }) => el.tagName), 'SELECT');
    assert.equal(await expires.getAttribute('name'), 'expires');
    const options: string[] = [];
    for (const option of await expires.locator('option').all()) options.push((await option.getAttribute('value')) ?? '');
    assert.deepEqual(options, ['7', '30', '90', '365', 'never']);

    const repository = form.getByLabel('Repository', { exact: true });
    assert.equal(await repository.getAttribute('name'), 'repository');
    assert.equal(await repository.getAttribute('required'), null, 'Repository is required');
    assert.equal(await form.getByRole('button', { name: 'Create token', exact: true }).count(), 1);
  });

  it('a created token is shown once with an .npmrc snippet for this server; the list shows its name and last use with a "Revoke" button per row', async () => {
    const { page } = await signedIn('erin');
    const first = await createTokenInBrowser(page, server, { name: 'ci read', scopes: ['read:packages'], expires: '7' });
    assert.ok(first.response.status() < 400, `creating answered ${first.response.status()}`);
    assert.match(first.token, /^kura_\w+$/);
    assert.ok(first.npmrc.includes(first.token), 'the snippet lacks the token');
    assert.ok(first.npmrc.includes(server.url), 'the snippet lacks the server URL');
    await saveScreenshot(page, 'tokens-created-desktop');

    const second = await createTokenInBrowser(page, server, { name: 'laptop write', scopes: ['read:packages', 'write:packages'], expires: 'never' });
    assert.notEqual(second.token, first.token);

    await page.goto(`${server.url}/settings/tokens`);
    assert.equal(await page.locator('#new-token').count(), 0, 'the token is shown again');
    const text = await page.locator('body').innerText();
    assert.ok(!text.includes(first.token) && !text.includes(second.token), 'a token secret is on the page after a reload');
    assert.ok(!(await page.content()).includes(second.token), 'a token secret is in the page source after a reload');

    for (const name of ['ci read', 'laptop write']) {
      assert.equal(await tokenRow(page, name).count(), 1, `no row for ${name}`);
      assert.equal(await tokenRow(page, name).getByRole('button', { name: 'Revoke', exact: true }).count(), 1, `no Revoke button for ${name}`);
      assert.notEqual((await (await tableCell(tokenTable(page), name, lastUsedColumn)).innerText()).trim(), '', `no last use shown for ${name}`);
    }

    const tokens = (await listTokens(server, 'erin')).sort((a, b) => a.id - b.id);
    assert.deepEqual(tokens.map((t) => [t.name, t.scopes, t.state]), [
      ['ci read', ['read:packages'], 'active'],
      ['laptop write', ['read:packages', 'write:packages'], 'active'],
    ]);
    const expiresIn = Date.parse(tokens[0]!.expiresAt ?? '') - Date.now();
    assert.ok(expiresIn > 6 * day && expiresIn <= 7 * day, `"7" made a token expiring at ${tokens[0]!.expiresAt}`);
    assert.equal(tokens[1]!.expiresAt, null, '"never" made a token that expires');
  });

  it('a token limited to a repository through the optional field is stored with it', async () => {
    await server.kura(['repo', 'create', 'frank/site']);
    const { page } = await signedIn('frank');
    const created = await createTokenInBrowser(page, server, { name: 'site deploy', scopes: ['read:packages', 'write:packages'], expires: '90', repository: 'frank/site' });
    assert.match(created.token, /^kura_\w+$/);
    const [token] = await listTokens(server, 'frank');
    assert.deepEqual(token?.scopes, ['read:packages', 'write:packages']);
    assert.equal(token?.name, 'site deploy');
    const expiresIn = Date.parse(token?.expiresAt ?? '') - Date.now();
    assert.ok(expiresIn > 89 * day && expiresIn <= 90 * day, `"90" made a token expiring at ${token?.expiresAt}`);
    await server.kura(['token', 'create', '--user', 'frank', '--scopes', 'read:packages', '--repo', 'frank/site', '--name', 'reference']);
    const { status, body } = await server.getJson('/api/v1/user/tokens', created.token);
    assert.equal(status, 200, JSON.stringify(body));
    const repoOf = (tokenName: string) => (body as Array<{ name: string; repository_id: number | null }>).find((t) => t.name === tokenName)?.repository_id;
    assert.ok(typeof repoOf('reference') === 'number', JSON.stringify(body));
    assert.equal(repoOf('site deploy'), repoOf('reference'), `the token is not limited to frank/site: ${JSON.stringify(body)}`);
  });

  it('the tokens page, with a new token showing, has no serious or critical axe violations and does not scroll sideways at 390 px', async () => {
    const { page } = await signedIn('erin', viewports.phone);
    await createTokenInBrowser(page, server, { name: 'phone check', scopes: ['read:packages'], expires: '30' });
    await saveScreenshot(page, 'tokens-created-phone');
    assert.equal(await hasHorizontalScroll(page), false, '/settings/tokens scrolls sideways at 390 px');
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `axe on /settings/tokens:\n${describeViolations(violations)}`);
  });

  it('signed in: a token made in the browser publishes with npm, the page shows the package and counts two installs, revoking it makes npm publish fail with 401, and signed out the private package is a 404', async () => {
    const name = '@alice/private-widget';
    const description = 'A private widget published with a token made in the browser';
    const pagePath = packagePath('alice', 'npm', name);
    const { page } = await signedIn('alice');

    const { token, npmrc } = await createTokenInBrowser(page, server, { name: 'laptop', scopes: ['read:packages', 'write:packages'], expires: '30' });
    assert.deepEqual((await listTokens(server, 'alice')).map((t) => [t.name, t.scopes, t.state]), [['laptop', ['read:packages', 'write:packages'], 'active']]);
    await page.goto(`${server.url}/settings/tokens`);
    const unusedLastUse = (await (await tableCell(tokenTable(page), 'laptop', lastUsedColumn)).innerText()).trim();

    const publishDir = await workspace.dir('publish');
    const publish = async (version: string) => {
      await writeLibrary(publishDir, { name, version, description, greeting: greetingFor(name, version), repository: 'https://git.example.com/alice/secret' });
      await writeSnippetNpmrc(publishDir, npmrc);
      return npm(workspace, publishDir, ['publish']);
    };
    expectSuccess(await publish('1.0.0'));
    const api = await server.getJson(`/api/v1/users/alice/packages/npm/${encodeURIComponent(name)}`, token);
    assert.equal(api.status, 200, JSON.stringify(api.body));
    assert.equal((api.body as { visibility: string }).visibility, 'private', 'the package in alice/secret is not private');

    assert.equal((await page.goto(`${server.url}${pagePath}`))?.status(), 200);
    assert.equal((await page.getByRole('heading', { level: 1 }).first().innerText()).trim(), name);
    assert.ok((await page.getByText(description, { exact: true }).count()) > 0, 'the description is not shown');
    assert.ok((await page.locator('code').filter({ hasText: exactly(`npm install ${name}`) }).count()) > 0, 'no `npm install` snippet');
    const versions = (p: Page): Locator => p.getByRole('table').filter({ has: p.getByRole('columnheader', { name: 'Version', exact: true }) });
    assert.equal((await (await tableCell(versions(page), '1.0.0', 'Downloads')).innerText()).trim(), '0');
    await saveScreenshot(page, 'package-signed-in-desktop');

    for (let i = 0; i < 2; i++) {
      const consumer = await workspace.dir('consumer');
      await writeConsumer(consumer);
      await writeSnippetNpmrc(consumer, npmrc);
      expectSuccess(await npm(workspace, consumer, ['install', name]));
      assert.equal(await greetingOf(consumer, name), greetingFor(name, '1.0.0'));
    }
    await pollUntil(async () => {
      await page.reload();
      return (await (await tableCell(versions(page), '1.0.0', 'Downloads')).innerText()).trim() === '2' ? true : undefined;
    }, { what: 'the versions table to count 2 downloads of 1.0.0', timeoutMs: 15_000, intervalMs: 250 });
    await page.setViewportSize(viewports.phone);
    await saveScreenshot(page, 'package-signed-in-phone');
    await page.setViewportSize(viewports.desktop);

    await page.goto(`${server.url}/settings/tokens`);
    await pollUntil(async () => {
      await page.reload();
      const shown = (await (await tableCell(tokenTable(page), 'laptop', lastUsedColumn)).innerText()).trim();
      return shown !== unusedLastUse ? shown : undefined;
    }, { what: `the token's last use to change from "${unusedLastUse}"`, timeoutMs: 10_000, intervalMs: 250 });

    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      tokenRow(page, 'laptop').getByRole('button', { name: 'Revoke', exact: true }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(await tokenRow(page, 'laptop').getByRole('button', { name: 'Revoke' }).count(), 0, 'the revoked token can still be revoked');
    assert.deepEqual((await listTokens(server, 'alice')).map((t) => [t.name, t.state]), [['laptop', 'revoked']]);
    assert.match(expectFailure(await publish('1.0.1')), /code E401/);

    await page.goto(`${server.url}${pagePath}`);
    assert.equal(await versions(page).getByRole('cell', { name: '1.0.1', exact: true }).count(), 0, 'the refused version is listed');
    await signOut(page);
    const anonymous = await page.goto(`${server.url}${pagePath}`);
    assert.equal(anonymous?.status(), 404);
    assert.equal(await page.getByRole('heading', { name: 'Not found' }).count(), 1);
    assert.equal(await page.getByText(description).count(), 0, 'the 404 page gives the description away');
  });
});
