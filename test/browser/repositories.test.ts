import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page, Response } from 'playwright-core';
import { startKuraServer, type KuraServer } from '../e2e/support/kura-server.js';
import {
  axeViolations, describeViolations, hasHorizontalScroll, launchBrowser, openTab, overflowingElements, saveScreenshot, skipWithoutChromium, viewports, type BrowserTab,
} from './support/browser.js';
import { createUserWithPassword, exactly, isFormPost, signIn } from './support/kura-pages.js';

const password = 'correct horse battery staple';

/** Presses `button` of a form posting to `path` and resolves to the answer to the POST, once the page it leads to has loaded. */
async function submit(page: Page, button: Locator, path: string): Promise<Response> {
  const [response] = await Promise.all([page.waitForResponse((r) => isFormPost(r, path)), button.click()]);
  await page.waitForLoadState('load');
  return response;
}

/** The row of the page's table that links to user `login`. */
const userRow = (page: Page, login: string) => page.locator('table tr').filter({ has: page.getByRole('link', { name: login, exact: true }) });

/** The notice shown after a change, or '' when there is none. */
const noticeOf = async (page: Page) => ((await page.getByRole('status').count()) > 0 ? (await page.getByRole('status').first().innerText()).trim() : '');

/** The error shown on a refused form, or '' when there is none. */
const errorOf = async (page: Page) => ((await page.getByRole('alert').count()) > 0 ? (await page.getByRole('alert').first().innerText()).trim() : '');

describe('repositories, collaborators and organization members in Chromium', { skip: skipWithoutChromium, timeout: 300_000 }, () => {
  let server: KuraServer;
  let browser: Browser;
  let aliceToken: string;
  const tabs: BrowserTab[] = [];

  /** A new tab signed in as `login`. */
  async function signedIn(login: string, viewport: { width: number; height: number } = viewports.desktop): Promise<BrowserTab> {
    const tab = await openTab(browser, { viewport });
    tabs.push(tab);
    const response = await signIn(tab.page, server, login, password);
    assert.equal(response.status(), 303, `signing in as ${login} answered ${response.status()}`);
    return tab;
  }

  const api = async (path: string) => server.getJson(`/api/v1${path}`, aliceToken);

  before(async () => {
    server = await startKuraServer();
    browser = await launchBrowser();
    for (const login of ['alice', 'bob', 'carol']) await createUserWithPassword(server, login, password);
    aliceToken = await server.kura(['token', 'create', '--user', 'alice', '--scopes', 'read:packages']);
  }, { timeout: 120_000 });

  after(async () => {
    for (const tab of tabs) await tab.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  }, { timeout: 60_000 });

  it('creates a private repository through /new, adds a collaborator who then sees it, changes their role and removes them again', async () => {
    const { page } = await signedIn('alice');
    await page.getByRole('banner').getByRole('link', { name: 'New repository', exact: true }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/new');
    const form = page.getByRole('form', { name: 'New repository' });
    assert.equal(await form.count(), 1, 'no form named "New repository"');
    await form.getByLabel('Owner', { exact: true }).selectOption('alice');
    await form.getByLabel('Name', { exact: true }).fill('secret-tools');
    await form.getByLabel('Description', { exact: true }).fill('Tools nobody else sees');
    await form.getByLabel(/^Private/).check();
    await saveScreenshot(page, 'new-repository-desktop');
    const created = await submit(page, form.getByRole('button', { name: 'Create repository', exact: true }), '/new');
    assert.equal(created.status(), 303);
    assert.equal(new URL(page.url()).pathname, '/alice/secret-tools');
    assert.equal((await page.getByRole('heading', { level: 1 }).innerText()).trim(), 'alice/secret-tools');
    assert.equal(await page.getByText('Tools nobody else sees').count(), 1);
    const repo = await api('/repos/alice/secret-tools');
    assert.equal(repo.status, 200, JSON.stringify(repo.body));
    assert.deepEqual([(repo.body as { private: boolean }).private, (repo.body as { description: string }).description], [true, 'Tools nobody else sees']);

    const bob = await signedIn('bob');
    assert.equal((await bob.page.goto(`${server.url}/alice/secret-tools`))?.status(), 404, 'bob sees the private repository before he is added');

    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/alice/secret-tools/settings');
    const add = page.getByRole('form', { name: 'Add a collaborator' });
    await add.getByLabel('Username', { exact: true }).fill('bob');
    await add.getByLabel('Role', { exact: true }).selectOption('read');
    const added = await submit(page, add.getByRole('button', { name: 'Add collaborator', exact: true }), '/alice/secret-tools/settings/collaborators');
    assert.equal(added.status(), 303);
    assert.equal(await noticeOf(page), 'bob is now a collaborator with the read role.');
    assert.equal(await userRow(page, 'bob').getByLabel('Role of bob', { exact: true }).inputValue(), 'read');
    await saveScreenshot(page, 'repository-settings-desktop');

    assert.equal((await bob.page.goto(`${server.url}/alice/secret-tools`))?.status(), 200, 'bob, a collaborator, gets a 404');
    assert.equal((await bob.page.getByRole('heading', { level: 1 }).innerText()).trim(), 'alice/secret-tools');
    assert.equal(await bob.page.getByRole('link', { name: 'Settings', exact: true }).count(), 0, 'a reader is offered the settings');
    assert.equal((await bob.page.goto(`${server.url}/alice/secret-tools/settings`))?.status(), 404, 'a reader sees the settings');

    await userRow(page, 'bob').getByLabel('Role of bob', { exact: true }).selectOption('write');
    const changed = await submit(page, userRow(page, 'bob').getByRole('button', { name: /^Change/ }), '/alice/secret-tools/settings/collaborators/bob');
    assert.equal(changed.status(), 303);
    assert.equal(await noticeOf(page), 'bob now has the write role.');
    assert.equal(await userRow(page, 'bob').getByLabel('Role of bob', { exact: true }).inputValue(), 'write');
    assert.equal(((await api('/repos/alice/secret-tools/collaborators/bob/permission')).body as { permission: string }).permission, 'write');

    const removed = await submit(page, userRow(page, 'bob').getByRole('button', { name: /^Remove/ }), '/alice/secret-tools/settings/collaborators/bob/remove');
    assert.equal(removed.status(), 303);
    assert.equal(await noticeOf(page), 'bob is no longer a collaborator.');
    assert.equal(await userRow(page, 'bob').count(), 0, 'bob is still listed');
    const gone = await bob.page.reload();
    assert.equal(gone?.status(), 404, 'bob still sees the repository after his removal');
    assert.equal(await bob.page.getByRole('heading', { name: 'Not found' }).count(), 1);
  });

  it('changes a repository\'s description and visibility through its General settings', async () => {
    await server.kura(['repo', 'create', 'alice/site', '--private']);
    const { page } = await signedIn('alice');
    await page.goto(`${server.url}/alice/site/settings`);
    const general = page.getByRole('form', { name: 'General' });
    await general.getByLabel('Description', { exact: true }).fill('The public site');
    await general.getByLabel(/^Public/).check();
    const saved = await submit(page, general.getByRole('button', { name: 'Save changes', exact: true }), '/alice/site/settings');
    assert.equal(saved.status(), 303);
    assert.equal(await noticeOf(page), 'Settings saved.');
    assert.equal(await general.getByLabel(/^Public/).isChecked(), true);
    const anonymous = await openTab(browser);
    tabs.push(anonymous);
    assert.equal((await anonymous.page.goto(`${server.url}/alice/site`))?.status(), 200, 'the repository made public is a 404 to anonymous visitors');
    assert.equal(await anonymous.page.getByText('The public site').count(), 1);
  });

  it('adds an organization member and refuses to remove its last owner', async () => {
    await server.kura(['org', 'create', 'acme', '--owner', 'alice']);
    const { page } = await signedIn('alice');
    await page.goto(`${server.url}/acme`);
    await page.getByRole('link', { name: 'Members', exact: true }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/acme/-/members');

    const add = page.getByRole('form', { name: 'Add a member' });
    await add.getByLabel('Username', { exact: true }).fill('carol');
    await add.getByLabel('Role', { exact: true }).selectOption('member');
    const added = await submit(page, add.getByRole('button', { name: 'Add member', exact: true }), '/acme/-/members');
    assert.equal(added.status(), 303);
    assert.equal(await noticeOf(page), 'carol is now a member with the member role.');
    assert.equal(await userRow(page, 'carol').getByLabel('Role of carol', { exact: true }).inputValue(), 'member');
    assert.equal(((await api('/orgs/acme/memberships/carol')).body as { role: string }).role, 'member');

    const carol = await signedIn('carol');
    assert.equal((await carol.page.goto(`${server.url}/acme/-/members`))?.status(), 200, 'a member does not see the members');
    assert.equal(await carol.page.getByRole('button', { name: /^Remove/ }).count(), 0, 'a member who is not an owner is offered Remove');
    const bob = await signedIn('bob');
    assert.equal((await bob.page.goto(`${server.url}/acme/-/members`))?.status(), 404, 'someone outside the organization sees its members');

    const refused = await submit(page, userRow(page, 'alice').getByRole('button', { name: /^Remove/ }), '/acme/-/members/alice/remove');
    assert.equal(refused.status(), 409);
    assert.match(await errorOf(page), /alice is the last owner of acme/);
    assert.equal(await userRow(page, 'alice').count(), 1, 'the last owner is no longer listed');
    assert.equal(((await api('/orgs/acme/memberships/alice')).body as { role: string }).role, 'admin');
    await saveScreenshot(page, 'members-last-owner-desktop');

    await page.goto(`${server.url}/acme`);
    await page.getByRole('main').getByRole('link', { name: 'New repository', exact: true }).click();
    await page.waitForLoadState('load');
    assert.equal(await page.getByLabel('Owner', { exact: true }).inputValue(), 'acme', 'the organization is not preselected as the owner');
  });

  it('/new, the repository settings and the members page have no serious or critical axe violations and do not scroll sideways at 390 px', async () => {
    await server.kura(['repo', 'add-collaborator', 'alice/secret-tools', 'carol', '--role', 'write']);
    const { page } = await signedIn('alice', viewports.phone);
    for (const [path, name] of [['/new', 'new-repository'], ['/alice/secret-tools/settings', 'repository-settings'], ['/acme/-/members', 'members']] as const) {
      assert.equal((await page.goto(`${server.url}${path}`))?.status(), 200, path);
      await saveScreenshot(page, `${name}-phone`);
      assert.equal(await hasHorizontalScroll(page), false, `${path} scrolls sideways at 390 px: ${(await overflowingElements(page)).join(', ')}`);
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `axe on ${path}:\n${describeViolations(violations)}`);
    }
    await page.getByRole('form', { name: 'Add a member' }).getByLabel('Username', { exact: true }).fill('nobody');
    const refused = await submit(page, page.getByRole('button', { name: 'Add member', exact: true }), '/acme/-/members');
    assert.equal(refused.status(), 400);
    assert.match(await errorOf(page), exactly('no user named "nobody"'));
    assert.equal(await hasHorizontalScroll(page), false, 'the members page with an error scrolls sideways at 390 px');
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `axe on the members page with an error:\n${describeViolations(violations)}`);
    await saveScreenshot(page, 'members-error-phone');
  });
});
