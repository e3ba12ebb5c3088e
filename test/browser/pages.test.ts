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
import {
  axeViolations, describeViolations, hasHorizontalScroll, launchBrowser, openTab, overflowingElements, saveScreenshot, skipWithoutChromium, squeezedHeadings,
  viewports,
} from './support/browser.js';
import { exactly, packagePath } from './support/kura-pages.js';

const npmClient = npmClients.find((c) => c.id === 'npm')!;
const name = '@alice/widget';
const description = 'Widgets for dashboards, with a small and friendly API';

/** A README with the usual parts: headings, a list, a long shell line, a table, and Japanese text (fonts-noto-cjk). */
const readme = `# ${name}

${description}.

## Usage

- install it with npm, yarn or pnpm
- call \`greet()\`

\`\`\`sh
npx @alice/widget --config ./config/widget.config.json --output ./dist/widgets --verbose --no-color --watch
\`\`\`

| Option | Default | Meaning |
| --- | --- | --- |
| \`verbose\` | \`false\` | print every step |
| \`watch\` | \`false\` | rebuild on change |

## 日本語

ウィジェットを簡単に作成できます。中文说明：小部件库。
`;

/** The pages that exist today, each with the heading that proves it is the right page. */
const pages = [
  { slug: 'home', label: 'the home page', path: '/', proof: { role: 'link', name: name } },
  { slug: 'owner', label: 'an owner page', path: '/alice', proof: { role: 'heading', name: 'alice' } },
  { slug: 'repository', label: 'a repository page', path: '/alice/tools', proof: { role: 'heading', name: 'alice/tools' } },
  { slug: 'npm-package', label: 'an npm package page', path: packagePath('alice', 'npm', name), proof: { role: 'heading', name } },
  { slug: 'npm-version', label: 'a version page', path: `${packagePath('alice', 'npm', name)}/versions/1.0.0`, proof: { role: 'heading', name } },
  { slug: 'npm-versions', label: 'the versions list', path: `${packagePath('alice', 'npm', name)}/versions`, proof: { role: 'heading', name: `${name}: versions` } },
  { slug: 'help-npm', label: 'the npm set-up page', path: '/-/help/npm', proof: { role: 'heading', name: 'Set up npm' } },
  { slug: 'help-container', label: 'the container set-up page', path: '/-/help/container', proof: { role: 'heading', name: 'Set up Container' } },
] as const;

describe('Kura\'s pages in Chromium: accessibility and narrow screens', { skip: skipWithoutChromium, timeout: 300_000 }, () => {
  let server: KuraServer;
  let workspace: Workspace;
  let browser: Browser;

  before(async () => {
    server = await startKuraServer();
    workspace = await Workspace.create();
    browser = await launchBrowser();
    await server.kura(['user', 'create', 'alice']);
    await server.kura(['repo', 'create', 'alice/tools', '--description', 'Tools the dashboard team publishes']);
    const access: RegistryAccess = { registry: server.npmRegistry, scope: 'alice', token: await createToken(server, 'alice', ['read:packages', 'write:packages']) };
    for (const version of ['1.0.0', '1.1.0']) {
      const dir = await workspace.dir('publish');
      await writeLibrary(dir, { name, version, description, greeting: greetingFor(name, version), repository: 'https://git.example.com/alice/tools' });
      await writeFile(join(dir, 'README.md'), readme);
      await npmClient.configure(dir, access);
      expectSuccess(await npmClient.publish(workspace, dir));
    }
  }, { timeout: 120_000 });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await workspace?.remove();
  }, { timeout: 60_000 });

  /** Opens `target` in a new tab at `viewport`, checks it is the right page, saves a screenshot named SLUG-SUFFIX, and runs `check`. */
  async function onPage(target: (typeof pages)[number], viewport: { width: number; height: number }, suffix: string, check: (page: Page) => Promise<void>) {
    const tab = await openTab(browser, { viewport });
    try {
      const response = await tab.page.goto(`${server.url}${target.path}`);
      assert.equal(response?.status(), 200);
      const proof = tab.page.getByRole(target.proof.role, { name: target.proof.name, exact: true });
      assert.ok((await proof.count()) > 0, `${target.path} shows no ${target.proof.role} "${target.proof.name}"`);
      await saveScreenshot(tab.page, `${target.slug}-${suffix}`);
      await check(tab.page);
      assert.deepEqual(tab.events.pageErrors, [], `script errors on ${target.path}`);
    } finally {
      await tab.close();
    }
  }

  for (const target of pages) {
    it(`${target.label} (${target.path}) has no serious or critical axe violations at 1280 px`, () => onPage(target, viewports.desktop, 'desktop', async (page) => {
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `axe on ${target.path}:\n${describeViolations(violations)}`);
    }));

    it(`${target.label} (${target.path}) does not scroll sideways at 390 px`, () => onPage(target, viewports.phone, 'phone', async (page) => {
      const scrolls = await hasHorizontalScroll(page);
      assert.equal(scrolls, false, `${target.path} is wider than 390 px; past the edge: ${(await overflowingElements(page)).join(', ')}`);
    }));

    it(`${target.label} (${target.path}) keeps every heading at least 60% of the screen wide at 390 px`, () => onPage(target, viewports.phone, 'phone', async (page) => {
      const squeezed = await squeezedHeadings(page, viewports.phone.width * 0.6);
      assert.deepEqual(squeezed, [], `${target.path} squeezes its columns at 390 px`);
    }));

    it(`${target.label} (${target.path}) has no serious or critical axe violations at 390 px`, () => onPage(target, viewports.phone, 'phone', async (page) => {
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `axe on ${target.path} at 390 px:\n${describeViolations(violations)}`);
    }));
  }

  it('the package page shows the published facts: description, install command, both versions, README with its Japanese text', async () => {
    const tab = await openTab(browser);
    try {
      await tab.page.goto(`${server.url}${packagePath('alice', 'npm', name)}`);
      const page = tab.page;
      assert.equal((await page.getByRole('heading', { level: 1 }).first().innerText()).trim(), name);
      assert.ok((await page.getByText(description, { exact: true }).count()) > 0, 'the description is not shown on its own');
      assert.ok((await page.locator('code').filter({ hasText: exactly(`npm install ${name}`) }).count()) > 0, 'no `npm install` snippet');
      const versions = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Version', exact: true }) });
      assert.equal(await versions.getByRole('cell', { name: '1.1.0', exact: true }).count(), 1);
      assert.equal(await versions.getByRole('cell', { name: '1.0.0', exact: true }).count(), 1);
      assert.equal(await page.getByRole('heading', { name: '日本語' }).count(), 1);
      assert.equal(await page.getByText('ウィジェットを簡単に作成できます。').count(), 1);
    } finally {
      await tab.close();
    }
  });
  it('a snippet\'s Copy button puts its text on the clipboard; the version link and the owner\'s format filter lead to their pages', async () => {
    const tab = await openTab(browser);
    try {
      const { page, context } = tab;
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      await page.goto(`${server.url}${packagePath('alice', 'npm', name)}`);
      const snippet = page.locator('.snippet').filter({ has: page.locator('code').filter({ hasText: exactly(`npm install ${name}`) }) });
      await snippet.getByRole('button', { name: 'Copy to clipboard' }).click();
      assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), `npm install ${name}`);
      await page.getByRole('link', { name: '1.0.0', exact: true }).first().click();
      await page.waitForLoadState('load');
      assert.equal(new URL(page.url()).pathname, `${packagePath('alice', 'npm', name)}/versions/1.0.0`);
      assert.ok((await page.locator('code').filter({ hasText: exactly(`npm install ${name}@1.0.0`) }).count()) > 0, 'the version page installs that version');
      await page.goto(`${server.url}/alice?format=npm`);
      assert.ok((await page.getByRole('link', { name, exact: true }).count()) > 0, 'the npm filter hides the npm package');
      await page.goto(`${server.url}/alice?format=maven`);
      assert.equal(await page.getByRole('link', { name, exact: true }).count(), 0, 'the Maven filter shows the npm package');
    } finally {
      await tab.close();
    }
  });
});
