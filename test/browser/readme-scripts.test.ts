import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createToken } from '../e2e/support/accounts.js';
import { npmClients, type RegistryAccess } from '../e2e/support/clients.js';
import { startKuraServer, type KuraServer } from '../e2e/support/kura-server.js';
import { expectSuccess } from '../e2e/support/process.js';
import { greetingFor, writeLibrary } from '../e2e/support/projects.js';
import { Workspace } from '../e2e/support/workspace.js';
import { launchBrowser, openTab, saveScreenshot, skipWithoutChromium, type BrowserTab } from './support/browser.js';
import { packagePath } from './support/kura-pages.js';

const npmClient = npmClients.find((c) => c.id === 'npm')!;
const name = '@mallory/hostile';

/** What every payload does when it runs: a dialog, a console line and a mark on the window. */
const run = (label: string) => `alert(1);window.__pwned='${label}';console.log('pwned:${label}')`;

/** The description shown on the package page and in package lists: an image whose error handler would run. */
const description = `Hostile fixture <img src=x onerror="${run('description')}">`;

/** A README with every usual way of getting a script into a page, around harmless text that must still show. */
const readme = `# Harmless heading

This paragraph is harmless.

<script>${run('script')}</script>

<img src=x onerror="${run('img')}">

[Click for a prize](javascript:${run('markdown-link')})

<a href="javascript:${run('html-link')}">Click here too</a>

<a href="JaVaScRiPt:${run('mixed-case-link')}">Mixed-case link</a>

<javascript:${run('autolink')}>

![picture](x" onerror="${run('markdown-image')})

<iframe srcdoc="<script>parent.alert(1);parent.__pwned='iframe';parent.console.log('pwned:iframe')</script>"></iframe>

<svg onload="${run('svg')}"><circle r="10"></circle></svg>

<details open ontoggle="${run('details')}"><summary>More</summary>hidden</details>

<form action="javascript:${run('form')}"><button>Send the form</button></form>

The last harmless line.
`;

/** The DOM facts that would let a payload run: handler attributes, javascript: URLs, frames, and scripts mentioning the probe. */
function dangerousMarkup(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const out = [];
    for (const el of document.querySelectorAll('*')) {
      for (const attr of el.attributes) {
        if (/^on/i.test(attr.name)) out.push(el.tagName.toLowerCase() + ' has handler ' + attr.name);
        if (/^\\s*javascript:/i.test(attr.value)) out.push(el.tagName.toLowerCase() + ' has ' + attr.name + '=' + attr.value.slice(0, 30));
      }
    }
    for (const el of document.querySelectorAll('iframe, frame, object, embed')) out.push('a ' + el.tagName.toLowerCase() + ' element');
    for (const el of document.querySelectorAll('script')) if (el.textContent.includes('__pwned')) out.push('a script that sets __pwned');
    return out;
  })()`);
}

/** The `window.__pwned` mark of every frame of the page (none is expected to have one). */
async function pwnedMarks(page: Page): Promise<string[]> {
  const marks: string[] = [];
  for (const frame of page.frames()) {
    const mark = await frame.evaluate<string | null>('typeof window.__pwned === "undefined" ? null : String(window.__pwned)');
    if (mark !== null) marks.push(`${frame.url()}: ${mark}`);
  }
  return marks;
}

/** Asserts that no payload ran in the tab: no dialog, no console line from a payload, no script error, no mark. */
async function assertNothingRan(tab: BrowserTab): Promise<void> {
  assert.deepEqual(tab.events.dialogs, [], 'a dialog opened');
  assert.deepEqual(tab.events.console.filter((line) => line.includes('pwned')), [], `a payload logged; console:\n${tab.events.console.join('\n')}`);
  assert.deepEqual(tab.events.pageErrors, [], 'a script failed');
  assert.deepEqual(await pwnedMarks(tab.page), [], 'a payload set window.__pwned');
}

describe('scripts in a README or description never run on Kura\'s pages', { skip: skipWithoutChromium, timeout: 300_000 }, () => {
  let server: KuraServer;
  let workspace: Workspace;
  let browser: Browser;

  before(async () => {
    server = await startKuraServer();
    workspace = await Workspace.create();
    browser = await launchBrowser();
    await server.kura(['user', 'create', 'mallory']);
    await server.kura(['repo', 'create', 'mallory/tricks']);
    const access: RegistryAccess = { registry: server.npmRegistry, scope: 'mallory', token: await createToken(server, 'mallory', ['read:packages', 'write:packages']) };
    const dir = await workspace.dir('publish');
    await writeLibrary(dir, { name, version: '1.0.0', description, greeting: greetingFor(name, '1.0.0'), repository: 'https://git.example.com/mallory/tricks' });
    await writeFile(join(dir, 'README.md'), readme);
    await npmClient.configure(dir, access);
    expectSuccess(await npmClient.publish(workspace, dir));
  }, { timeout: 120_000 });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await workspace?.remove();
  }, { timeout: 60_000 });

  it('the probes catch a payload that does run (a page made of the same image payload)', async () => {
    const tab = await openTab(browser);
    try {
      await tab.page.setContent(`<img src=x onerror="${run('control')}">`, { waitUntil: 'load' });
      await tab.page.waitForFunction('window.__pwned !== undefined');
      assert.deepEqual(tab.events.dialogs, ['alert: 1']);
      assert.ok(tab.events.console.includes('log: pwned:control'), tab.events.console.join('\n'));
      assert.deepEqual(await pwnedMarks(tab.page), ['about:blank: control']);
    } finally {
      await tab.close();
    }
  });

  it('the package page renders the README\'s text, but no payload runs and none is in the DOM as markup', async () => {
    const tab = await openTab(browser);
    try {
      const response = await tab.page.goto(`${server.url}${packagePath('mallory', 'npm', name)}`, { waitUntil: 'networkidle' });
      assert.equal(response?.status(), 200);
      assert.equal(await tab.page.getByRole('heading', { name: 'Harmless heading' }).count(), 1);
      assert.equal(await tab.page.getByText('This paragraph is harmless.', { exact: true }).count(), 1);
      assert.equal(await tab.page.getByText('The last harmless line.', { exact: true }).count(), 1);
      await saveScreenshot(tab.page, 'readme-scripts-package');
      assert.deepEqual(await dangerousMarkup(tab.page), []);
      assert.equal(tab.page.frames().length, 1, 'the page has frames');
      await assertNothingRan(tab);
    } finally {
      await tab.close();
    }
  });

  it('clicking the javascript: links and pressing the form\'s button runs nothing and leaves the page', async () => {
    const tab = await openTab(browser);
    try {
      const url = `${server.url}${packagePath('mallory', 'npm', name)}`;
      await tab.page.goto(url, { waitUntil: 'networkidle' });
      for (const text of ['Click for a prize', 'Click here too', 'Mixed-case link']) {
        const target = tab.page.getByText(text).first();
        assert.equal(await target.isVisible(), true, `"${text}" is not on the page`);
        await target.click();
        await tab.page.waitForLoadState('networkidle');
        assert.equal(tab.page.url(), url, `clicking "${text}" navigated`);
      }
      const send = tab.page.getByRole('button', { name: 'Send the form' });
      if ((await send.count()) > 0) {
        await send.click();
        await tab.page.waitForLoadState('networkidle');
      }
      assert.equal(tab.page.url(), url, 'the README\'s form navigated');
      await assertNothingRan(tab);
    } finally {
      await tab.close();
    }
  });

  it('the home page and the owner page list the package with its description, and its image payload does not run', async () => {
    for (const path of ['/', '/mallory']) {
      const tab = await openTab(browser);
      try {
        const response = await tab.page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
        assert.equal(response?.status(), 200);
        assert.equal(await tab.page.getByRole('link', { name, exact: true }).count(), 1, `${path} does not link the package`);
        assert.deepEqual(await dangerousMarkup(tab.page), [], path);
        await assertNothingRan(tab);
      } finally {
        await tab.close();
      }
    }
  });
});
