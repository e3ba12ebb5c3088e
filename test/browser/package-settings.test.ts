import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page, Response } from 'playwright-core';
import { createToken } from '../e2e/support/accounts.js';
import { npm, npmrc } from '../e2e/support/clients.js';
import { startKuraServer, type KuraServer } from '../e2e/support/kura-server.js';
import { expectSuccess } from '../e2e/support/process.js';
import { greetingFor, writeLibrary } from '../e2e/support/projects.js';
import { Workspace } from '../e2e/support/workspace.js';
import {
  axeViolations, describeViolations, hasHorizontalScroll, launchBrowser, openTab, overflowingElements, saveScreenshot, skipWithoutChromium, viewports, type BrowserTab,
} from './support/browser.js';
import { createUserWithPassword, exactly, packagePath, signIn } from './support/kura-pages.js';

const password = 'correct horse battery staple';
const name = '@alice/gadget';
const description = 'A gadget whose settings are changed in the browser';

/**
 * Presses `button` (a form's submit button) and resolves to the answer to the POST, once the page
 * it leads to (after a redirect, or the page shown with a refusal) has loaded.
 */
async function submit(page: Page, button: Locator): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.waitForEvent('framenavigated'),
    button.click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

/** The table of versions on a package's versions page. */
const versionsTable = (page: Page) => page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Version', exact: true }) });

/** The row of the versions table for `version`. */
const versionRow = (page: Page, version: string) => versionsTable(page).getByRole('row')
  .filter({ has: page.locator('td:first-child').filter({ hasText: new RegExp(`^\\s*${version.replace(/\./g, '\\.')}(?![\\d.])`) }) });

describe('package settings in Chromium, for a package published with the real npm', { skip: skipWithoutChromium, timeout: 600_000 }, () => {
  let server: KuraServer;
  let workspace: Workspace;
  let browser: Browser;
  let token: string;
  const tabs: BrowserTab[] = [];
  const pagePath = packagePath('alice', 'npm', name);
  const settingsPath = `${pagePath}/settings`;
  const versionsPath = `${pagePath}/versions`;

  /** A new tab, signed in as `login` unless null. */
  async function tab(login: string | null, viewport: { width: number; height: number } = viewports.desktop): Promise<BrowserTab> {
    const opened = await openTab(browser, { viewport });
    tabs.push(opened);
    if (login) {
      const response = await signIn(opened.page, server, login, password);
      assert.equal(response.status(), 303, `signing in as ${login} answered ${response.status()}`);
    }
    return opened;
  }

  /** The package as the REST API shows it to alice (null once deleted). */
  async function apiPackage(): Promise<{ visibility: string } | null> {
    const { status, body } = await server.getJson(`/api/v1/users/alice/packages/npm/${encodeURIComponent(name)}`, token);
    return status === 200 ? body as { visibility: string } : null;
  }

  /** The live versions of the package, as the REST API lists them. */
  async function liveVersions(): Promise<string[]> {
    const { status, body } = await server.getJson(`/api/v1/users/alice/packages/npm/${encodeURIComponent(name)}/versions`, token);
    assert.equal(status, 200, JSON.stringify(body));
    return (body as Array<{ name: string }>).map((v) => v.name).sort();
  }

  before(async () => {
    server = await startKuraServer();
    workspace = await Workspace.create();
    browser = await launchBrowser();
    for (const login of ['alice', 'bob']) await createUserWithPassword(server, login, password);
    token = await createToken(server, 'alice', ['read:packages', 'write:packages', 'delete:packages'], 'publish');
    const dir = await workspace.dir('publish');
    for (const version of ['1.0.0', '1.1.0']) {
      await writeLibrary(dir, { name, version, description, greeting: greetingFor(name, version) });
      await writeFile(join(dir, '.npmrc'), npmrc({ registry: server.npmRegistry, scope: 'alice', token }));
      expectSuccess(await npm(workspace, dir, ['publish']));
    }
  }, { timeout: 120_000 });

  after(async () => {
    for (const opened of tabs) await opened.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await workspace?.remove();
  }, { timeout: 60_000 });

  it('the owner reaches the settings from the package page: visibility, repository link, access and danger zone, labelled; axe finds nothing serious at 1280 and 390 px, which does not scroll sideways', async () => {
    const { page } = await tab('alice');
    assert.equal((await page.goto(`${server.url}${pagePath}`))?.status(), 200);
    await Promise.all([page.waitForURL(`**${settingsPath}`), page.getByRole('link', { name: 'Package settings' }).click()]);
    for (const heading of ['Visibility', 'Repository link', 'Access', 'Danger zone']) {
      assert.equal(await page.getByRole('heading', { level: 2, name: heading, exact: true }).count(), 1, `no "${heading}" section`);
    }
    assert.equal(await page.getByRole('radio', { name: /^Public/ }).count(), 1);
    assert.equal(await page.getByRole('radio', { name: /^Private/ }).isChecked(), true, 'a new package is private');
    assert.equal(await page.getByLabel('Username', { exact: true }).getAttribute('name'), 'user');
    assert.equal(await page.getByLabel('Role', { exact: true }).getAttribute('name'), 'role');
    assert.equal(await page.getByLabel(`Type the package name, ${name}, to confirm`).getAttribute('name'), 'confirm');
    assert.equal(await page.locator('form[method="post"]:not(:has(input[type="hidden"][name="csrf"]))').count(), 0, 'a form without its CSRF token');

    await saveScreenshot(page, 'package-settings-desktop');
    const desktop = await axeViolations(page);
    assert.deepEqual(desktop, [], `axe on the settings page at 1280 px:\n${describeViolations(desktop)}`);

    await page.setViewportSize(viewports.phone);
    await page.reload();
    assert.equal(await hasHorizontalScroll(page), false, `the settings page scrolls sideways at 390 px: ${(await overflowingElements(page)).join(', ')}`);
    await saveScreenshot(page, 'package-settings-phone');
    const phone = await axeViolations(page);
    assert.deepEqual(phone, [], `axe on the settings page at 390 px:\n${describeViolations(phone)}`);

    await page.keyboard.press('Tab');
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    assert.notEqual(outline, 'none', 'the focused element shows no outline');
  });

  it('makes the package public, so a signed-out visitor sees it, and private again', async () => {
    const { page } = await tab('alice');
    const stranger = (await tab(null)).page;
    await page.goto(`${server.url}${settingsPath}`);
    await page.getByRole('radio', { name: /^Public/ }).check();
    assert.equal((await submit(page, page.getByRole('button', { name: 'Save visibility' }))).status(), 303);
    assert.equal(await page.getByRole('status').filter({ hasText: 'Visibility saved.' }).count(), 1);
    assert.equal((await apiPackage())?.visibility, 'public');
    assert.equal((await stranger.goto(`${server.url}${pagePath}`))?.status(), 200);

    await page.getByRole('radio', { name: /^Private/ }).check();
    await submit(page, page.getByRole('button', { name: 'Save visibility' }));
    assert.equal((await apiPackage())?.visibility, 'private');
    assert.equal((await stranger.goto(`${server.url}${pagePath}`))?.status(), 404);
  });

  it('gives bob the read role, and bob then sees the private package but not its settings', async () => {
    const bob = (await tab('bob')).page;
    assert.equal((await bob.goto(`${server.url}${pagePath}`))?.status(), 404);

    const { page } = await tab('alice');
    await page.goto(`${server.url}${settingsPath}`);
    await page.getByLabel('Username', { exact: true }).fill('bob');
    await page.getByLabel('Role', { exact: true }).selectOption('read');
    assert.equal((await submit(page, page.getByRole('button', { name: 'Add', exact: true }))).status(), 303);
    const members = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'User', exact: true }) });
    const row = members.getByRole('row').filter({ has: page.getByRole('link', { name: 'bob', exact: true }) });
    assert.equal(await row.getByLabel('Role of bob').inputValue(), 'read');
    assert.equal(await row.getByRole('button', { name: 'Remove bob' }).count(), 1);
    const owner = members.getByRole('row').filter({ has: page.getByRole('link', { name: 'alice', exact: true }) });
    assert.equal(await owner.getByRole('button').count(), 0, 'the owner\'s own admin role can be changed or removed');
    await page.setViewportSize(viewports.phone);
    assert.equal(await hasHorizontalScroll(page), false, `the settings page with a role scrolls sideways at 390 px: ${(await overflowingElements(page)).join(', ')}`);
    await saveScreenshot(page, 'package-settings-roles-phone');
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `axe on the settings page with a role at 390 px:\n${describeViolations(violations)}`);

    assert.equal((await bob.goto(`${server.url}${pagePath}`))?.status(), 200);
    assert.equal((await bob.getByRole('heading', { level: 1 }).first().innerText()).trim(), name);
    assert.equal(await bob.getByRole('link', { name: 'Package settings' }).count(), 0);
    assert.equal((await bob.goto(`${server.url}${settingsPath}`))?.status(), 404);
  });

  it('deletes a version once its number is typed, shows it deleted on the versions page, and restores it', async () => {
    const { page } = await tab('alice');
    await page.goto(`${server.url}${versionsPath}`);
    await Promise.all([page.waitForURL(`**${versionsPath}/1.0.0/delete`), page.getByRole('link', { name: 'Delete version 1.0.0' }).click()]);
    const confirm = page.getByLabel('Type the version number, 1.0.0, to confirm');
    await confirm.fill('1.1.0');
    assert.equal((await submit(page, page.getByRole('button', { name: 'Delete version' }))).status(), 400);
    assert.equal(await page.getByRole('alert').filter({ hasText: 'was not deleted' }).count(), 1);
    assert.deepEqual(await liveVersions(), ['1.0.0', '1.1.0']);
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `axe on the delete-version page:\n${describeViolations(violations)}`);

    await page.getByLabel('Type the version number, 1.0.0, to confirm').fill('1.0.0');
    assert.equal((await submit(page, page.getByRole('button', { name: 'Delete version' }))).status(), 303);
    assert.equal(new URL(page.url()).pathname, versionsPath);
    assert.equal(await page.getByRole('status').filter({ hasText: 'Version 1.0.0 deleted.' }).count(), 1);
    assert.deepEqual(await liveVersions(), ['1.1.0']);
    assert.equal(await versionRow(page, '1.0.0').locator('.badge').filter({ hasText: exactly('deleted') }).count(), 1, 'the deleted version is not marked');
    assert.equal(await versionRow(page, '1.0.0').getByRole('link', { name: /^Delete/ }).count(), 0);
    await saveScreenshot(page, 'package-versions-deleted-desktop');
    const listViolations = await axeViolations(page);
    assert.deepEqual(listViolations, [], `axe on the versions page:\n${describeViolations(listViolations)}`);

    assert.equal((await submit(page, versionRow(page, '1.0.0').getByRole('button', { name: 'Restore version 1.0.0' }))).status(), 303);
    assert.equal(await page.getByRole('status').filter({ hasText: 'Version 1.0.0 restored.' }).count(), 1);
    assert.equal(await versionRow(page, '1.0.0').locator('.badge').filter({ hasText: exactly('deleted') }).count(), 0);
    assert.deepEqual(await liveVersions(), ['1.0.0', '1.1.0']);
  });

  it('deletes the package once its name is typed exactly: bob and signed-out visitors get 404, its owner sees it deleted and restores it', async () => {
    const { page } = await tab('alice');
    const bob = (await tab('bob')).page;
    await page.goto(`${server.url}${settingsPath}`);
    const confirm = page.getByLabel(`Type the package name, ${name}, to confirm`);
    await confirm.fill('@alice/gadge');
    assert.equal((await submit(page, page.getByRole('button', { name: 'Delete package' }))).status(), 400);
    assert.equal(await page.getByRole('alert').filter({ hasText: 'was not deleted' }).count(), 1);
    assert.ok(await apiPackage(), 'a mistyped name deleted the package');

    await page.getByLabel(`Type the package name, ${name}, to confirm`).fill(name);
    assert.equal((await submit(page, page.getByRole('button', { name: 'Delete package' }))).status(), 303);
    assert.equal(new URL(page.url()).pathname, pagePath);
    assert.equal(await page.getByRole('heading', { name: 'This package is deleted' }).count(), 1);
    assert.equal(await apiPackage(), null);
    await saveScreenshot(page, 'package-deleted-desktop');
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `axe on the deleted package page:\n${describeViolations(violations)}`);

    assert.equal((await bob.goto(`${server.url}${pagePath}`))?.status(), 404);
    assert.equal(await bob.getByRole('heading', { name: 'Not found' }).count(), 1);
    assert.equal(await bob.getByText(description).count(), 0);
    assert.equal((await (await tab(null)).page.goto(`${server.url}${pagePath}`))?.status(), 404);

    assert.equal((await submit(page, page.getByRole('button', { name: 'Restore package' }))).status(), 303);
    assert.equal(await page.getByRole('status').filter({ hasText: 'Package restored.' }).count(), 1);
    assert.equal((await page.getByRole('heading', { level: 1 }).first().innerText()).trim(), name);
    assert.ok(await apiPackage(), 'the package is not back');
    assert.equal((await bob.goto(`${server.url}${pagePath}`))?.status(), 200, 'bob keeps his role through delete and restore');
  });
});
