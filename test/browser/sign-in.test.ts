import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { APIResponse, Browser, Locator, Page } from 'playwright-core';
import { startKuraServer, type KuraServer } from '../e2e/support/kura-server.js';
import {
  axeViolations, describeViolations, hasHorizontalScroll, launchBrowser, openTab, saveScreenshot, skipWithoutChromium, viewports, type BrowserTab,
} from './support/browser.js';
import { createUserWithPassword, listTokens, signIn, signOut } from './support/kura-pages.js';

const password = 'correct horse battery staple';

/** The hidden `csrf` value of the form on `page` that holds `field` (a locator inside it). */
async function csrfOfFormWith(page: Page, field: Locator): Promise<string> {
  const csrf = page.locator('form').filter({ has: field }).locator('input[type="hidden"][name="csrf"]');
  assert.equal(await csrf.count(), 1, 'the form has no single hidden csrf field');
  return (await csrf.getAttribute('value')) ?? '';
}

/** A form body with repeated fields (scopes), as a browser would post it. */
function formBody(fields: ReadonlyArray<readonly [string, string]>): { data: string; headers: Record<string, string>; maxRedirects: number } {
  return { data: new URLSearchParams(fields.map(([k, v]): [string, string] => [k, v])).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, maxRedirects: 0 };
}

/** A readable account of an answer, for assertion messages. */
async function describeResponse(response: APIResponse): Promise<string> {
  return `${response.status()} ${response.url()}\n${(await response.text()).slice(0, 500)}`;
}

describe('signing in to Kura in Chromium', { skip: skipWithoutChromium, timeout: 300_000 }, () => {
  let server: KuraServer;
  let browser: Browser;
  const tabs: BrowserTab[] = [];

  /** A new tab (fresh context: no cookies) that accepts confirmation dialogs; closed after the suite. */
  async function tab(viewport: { width: number; height: number } = viewports.desktop): Promise<BrowserTab> {
    const opened = await openTab(browser, { viewport, acceptDialogs: true });
    tabs.push(opened);
    return opened;
  }

  /** A tab signed in as `login`, on the page the sign-in led to. */
  async function signedIn(login: string): Promise<BrowserTab> {
    const opened = await tab();
    const response = await signIn(opened.page, server, login, password);
    assert.equal(response.status(), 303, `signing in as ${login} answered ${response.status()}`);
    return opened;
  }

  before(async () => {
    server = await startKuraServer();
    browser = await launchBrowser();
    for (const login of ['alice', 'carol', 'dave']) await createUserWithPassword(server, login, password);
    await server.kura(['repo', 'create', 'alice/secret', '--private']);
  }, { timeout: 120_000 });

  after(async () => {
    for (const opened of tabs) await opened.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  }, { timeout: 60_000 });

  it('GET /login shows a form with labelled Username and Password fields, a hidden csrf field and a "Sign in" button', async () => {
    const { page } = await tab();
    const response = await page.goto(`${server.url}/login`);
    assert.equal(response?.status(), 200);
    await saveScreenshot(page, 'login-desktop');
    const username = page.getByLabel('Username', { exact: true });
    assert.equal(await username.getAttribute('name'), 'login');
    const passwordField = page.getByLabel('Password', { exact: true });
    assert.equal(await passwordField.getAttribute('name'), 'password');
    assert.equal(await passwordField.getAttribute('type'), 'password');
    const form = page.locator('form').filter({ has: username });
    assert.equal(await form.count(), 1, 'the Username field is not in one form');
    assert.equal(await form.filter({ has: passwordField }).count(), 1, 'Username and Password are not in the same form');
    assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'post');
    assert.match(await csrfOfFormWith(page, username), /^\S{16,}$/, 'the csrf value is not a token');
    assert.equal(await form.getByRole('button', { name: 'Sign in', exact: true }).count(), 1);
  });

  it('the login page has no serious or critical axe violations and does not scroll sideways at 390 px', async () => {
    const { page } = await tab(viewports.phone);
    assert.equal((await page.goto(`${server.url}/login`))?.status(), 200);
    await saveScreenshot(page, 'login-phone');
    assert.equal(await hasHorizontalScroll(page), false, '/login scrolls sideways at 390 px');
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `axe on /login:\n${describeViolations(violations)}`);
  });

  it('a wrong password, or an unknown user, shows the login page again with 401 and "Incorrect username or password"', async () => {
    for (const [login, attempt] of [['alice', 'not the password'], ['nobody', password]] as const) {
      const { page } = await tab();
      const response = await signIn(page, server, login, attempt);
      assert.equal(response.status(), 401, `${login}: answered ${response.status()}`);
      assert.equal(await page.getByText('Incorrect username or password').count(), 1, `${login}: no error message`);
      assert.equal(await page.getByLabel('Username', { exact: true }).count(), 1, `${login}: the form is gone`);
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', `${login}: the password was sent back`);
      assert.equal(await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).count(), 0, `${login}: signed in anyway`);
    }
  });

  it('valid credentials redirect with 303 to /, and the header then links the user and has a "Sign out" form posting to /logout with its own csrf', async () => {
    const { page } = await tab();
    const response = await signIn(page, server, 'alice', password);
    assert.equal(response.status(), 303);
    assert.equal(new URL(response.headers()['location'] ?? '', server.url).href, `${server.url}/`);
    assert.equal(page.url(), `${server.url}/`);
    const banner = page.getByRole('banner');
    const me = banner.getByRole('link', { name: 'alice', exact: true });
    assert.equal(await me.count(), 1, 'the header does not link alice');
    assert.equal(await me.getAttribute('href'), '/alice');
    const signOutButton = banner.getByRole('button', { name: 'Sign out', exact: true });
    assert.equal(await signOutButton.count(), 1, 'the header has no Sign out button');
    // A `has` locator is looked for inside the form, so it names the button, not the banner.
    const button = page.getByRole('button', { name: 'Sign out', exact: true });
    const form = banner.locator('form').filter({ has: button });
    assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'post');
    assert.equal(new URL((await form.getAttribute('action')) ?? '', server.url).pathname, '/logout');
    assert.match(await csrfOfFormWith(page, button), /^\S{16,}$/);
  });

  it('sign-in goes to the `next` query parameter when it is a local path, and to / when it names another site', async () => {
    const cases = [
      ['/alice/secret', `${server.url}/alice/secret`],
      ['https://evil.example/', `${server.url}/`],
      ['//evil.example/', `${server.url}/`],
    ] as const;
    for (const [next, landing] of cases) {
      const { page } = await tab();
      const response = await signIn(page, server, 'alice', password, next);
      assert.equal(response.status(), 303, `next=${next}`);
      assert.equal(new URL(response.headers()['location'] ?? '', server.url).href, landing, `next=${next}`);
      assert.equal(page.url(), landing, `next=${next}`);
    }
  });

  it('the session cookie kura_session is HttpOnly and SameSite=Lax, and page scripts cannot read it', async () => {
    const { page, context } = await signedIn('alice');
    const session = (await context.cookies(server.url)).find((c) => c.name === 'kura_session');
    assert.ok(session, `no kura_session cookie; cookies: ${JSON.stringify(await context.cookies())}`);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.ok(session.value.length >= 16, 'the session id is short');
    assert.doesNotMatch(await page.evaluate<string>('document.cookie'), /kura_session=/);
  });

  it('signing in shows the private repository; signing out ends the session, so it is a 404 again, also for the old cookie', async () => {
    const { page, context } = await signedIn('alice');
    assert.equal((await page.goto(`${server.url}/alice/secret`))?.status(), 200);
    const oldCookie = (await context.cookies(server.url)).find((c) => c.name === 'kura_session');
    assert.ok(oldCookie, 'no kura_session cookie');

    const response = await signOut(page);
    assert.ok(response.status() === 303 || response.status() === 302, `POST /logout answered ${response.status()}`);
    assert.equal(await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).count(), 0, 'still signed in after signing out');
    const after = await page.goto(`${server.url}/alice/secret`);
    assert.equal(after?.status(), 404);
    assert.equal(await page.getByRole('heading', { name: 'Not found' }).count(), 1);

    const replay = await tab();
    await replay.context.addCookies([oldCookie]);
    assert.equal((await replay.page.goto(`${server.url}/alice/secret`))?.status(), 404, 'the signed-out session still works');
  });

  it('a token form posted to /settings/tokens without csrf, with a made-up one or with another visitor\'s is refused with 403 and creates nothing; with the page\'s own csrf it creates the token', async () => {
    const { page } = await signedIn('dave');
    await page.goto(`${server.url}/settings/tokens`);
    const ownCsrf = await csrfOfFormWith(page, page.getByRole('button', { name: 'Create token', exact: true }));
    const stranger = await tab();
    await stranger.page.goto(`${server.url}/login`);
    const strangerCsrf = await csrfOfFormWith(stranger.page, stranger.page.getByLabel('Username', { exact: true }));
    assert.notEqual(strangerCsrf, ownCsrf);

    const fields = (name: string): Array<[string, string]> => [['name', name], ['scopes', 'read:packages'], ['scopes', 'write:packages'], ['expires', '7']];
    const refused = [
      ['no-csrf', fields('no-csrf')],
      ['made-up-csrf', [...fields('made-up-csrf'), ['csrf', 'x'.repeat(ownCsrf.length || 32)]]],
      ['empty-csrf', [...fields('empty-csrf'), ['csrf', '']]],
      ['strangers-csrf', [...fields('strangers-csrf'), ['csrf', strangerCsrf]]],
    ] as const;
    for (const [label, body] of refused) {
      const response = await page.request.post(`${server.url}/settings/tokens`, formBody(body));
      assert.equal(response.status(), 403, `${label}: ${await describeResponse(response)}`);
    }
    assert.deepEqual(await listTokens(server, 'dave'), [], 'a refused form created a token');

    const accepted = await page.request.post(`${server.url}/settings/tokens`, formBody([...fields('with-csrf'), ['csrf', ownCsrf]]));
    assert.ok(accepted.status() < 400, `with the page's csrf: ${await describeResponse(accepted)}`);
    assert.deepEqual((await listTokens(server, 'dave')).map((t) => [t.name, t.scopes, t.state]), [['with-csrf', ['read:packages', 'write:packages'], 'active']]);
  });

  it('a POST to /logout without csrf or with a wrong one is refused with 403 and the session goes on', async () => {
    const { page } = await signedIn('carol');
    const signOutButton = page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true });
    const ownCsrf = await csrfOfFormWith(page, page.getByRole('button', { name: 'Sign out', exact: true }));
    for (const [label, body] of [['no csrf', []], ['a wrong csrf', [['csrf', `${ownCsrf}x`]]]] as const) {
      const response = await page.request.post(`${server.url}/logout`, formBody(body));
      assert.equal(response.status(), 403, `${label}: ${await describeResponse(response)}`);
    }
    await page.goto(`${server.url}/`);
    assert.equal(await page.getByRole('banner').getByRole('link', { name: 'carol', exact: true }).count(), 1, 'carol was signed out by a refused POST');
    assert.equal(await signOutButton.count(), 1);
  });
});
