import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '../../e2e/support/kura-server.js';

/** Debian's Chromium, which playwright-core drives (it downloads no browser of its own). */
export const chromiumPath = '/usr/bin/chromium';

/**
 * The `skip` option of every browser suite: a message when Chromium is not installed (the suites
 * then report themselves skipped), false otherwise. CI installs it with scripts/install-clients.sh.
 */
export const skipWithoutChromium: string | false = existsSync(chromiumPath)
  ? false
  : `${chromiumPath} is not installed (scripts/install-clients.sh installs Debian's chromium): browser tests skipped`;

/** The viewports the tests look at pages in. */
export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** Where screenshots go (gitignored), one PNG per page and width. */
export const screenshotDir = join(repoRoot, 'test-artifacts', 'screenshots');

/** Launches headless Chromium (as root it needs --no-sandbox); one per test file. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
}

/** What a page did that a test may need to rule out: script errors, console output, dialogs. */
export interface PageEvents {
  /** Uncaught exceptions in the page or its frames. */
  pageErrors: string[];
  /** Console messages of every frame, as `type: text`. */
  console: string[];
  /** Dialogs opened (alert, confirm, prompt, beforeunload), as `type: message`. */
  dialogs: string[];
}

/** A fresh browser context (no cookies, no storage) with one page whose events are recorded. */
export interface BrowserTab {
  context: BrowserContext;
  page: Page;
  events: PageEvents;
  close(): Promise<void>;
}

/**
 * Opens a new context and page on `browser`, at the desktop viewport unless told otherwise.
 * Every dialog is recorded; it is dismissed, or accepted with `acceptDialogs` (for a page that
 * asks for confirmation). A page opened by the first one (a popup) is recorded the same way.
 */
export async function openTab(browser: Browser, options: { viewport?: { width: number; height: number }; acceptDialogs?: boolean } = {}): Promise<BrowserTab> {
  // Kura's pages forbid inline scripts (CSP); axe-core is injected as one, so the tests bypass the
  // policy. That also makes the script-injection suites prove the pages' escaping on its own.
  const context = await browser.newContext({ viewport: options.viewport ?? viewports.desktop, bypassCSP: true });
  // An element that is not there fails its test in seconds, not after playwright's 30 s default.
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(30_000);
  const events: PageEvents = { pageErrors: [], console: [], dialogs: [] };
  const watch = (page: Page) => {
    page.on('pageerror', (error) => events.pageErrors.push(`${error.name}: ${error.message}`));
    page.on('console', (message) => events.console.push(`${message.type()}: ${message.text()}`));
    page.on('dialog', (dialog) => {
      events.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void (options.acceptDialogs ? dialog.accept() : dialog.dismiss()).catch(() => undefined);
    });
  };
  context.on('page', watch);
  const page = await context.newPage();
  return { context, page, events, close: () => context.close() };
}

/** One axe-core finding of impact serious or critical. */
export interface AxeViolation {
  id: string;
  impact: 'serious' | 'critical';
  help: string;
  /** The CSS selectors of the offending elements. */
  targets: string[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core (injected from node_modules) on the page as it is now and resolves to its
 * serious and critical violations; minor and moderate ones are left out.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate<Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>>(
    'window.axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)',
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact as 'serious' | 'critical', help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(' ')) }));
}

/** A readable list of violations, for assertion messages. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.targets.join('\n    ')}`).join('\n');
}

/** Saves a full-page PNG as test-artifacts/screenshots/NAME.png and resolves to its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Whether the document is wider than the viewport, i.e. the page scrolls sideways. */
export function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');
}

/**
 * The elements reaching past the viewport's right edge and not clipped by a scrolling ancestor
 * (tag, id and classes), to say what makes a page scroll sideways.
 */
export function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      let clipped = false;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== 'visible') clipped = true;
      }
      if (!clipped && box.right > width + 0.5 && box.width > 0) {
        out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + [...el.classList].map((c) => '.' + c).join('') + ' (right edge ' + Math.round(box.right) + ' px)');
      }
    }
    return out.slice(0, 20);
  })()`);
}

/**
 * The visible headings narrower than `minWidth` px, as `h2 "text" (N px)`. A heading is a block
 * as wide as its column, so a narrow one is a column squeezed by a layout that does not fit the
 * screen (its words wrapping one per line), which a sideways-scroll check does not see.
 */
export function squeezedHeadings(page: Page, minWidth: number): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const out = [];
    for (const el of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
      const box = el.getBoundingClientRect();
      if (box.height > 0 && box.width < ${Number(minWidth)}) {
        out.push(el.tagName.toLowerCase() + ' "' + el.textContent.trim().slice(0, 40) + '" (' + Math.round(box.width) + ' px)');
      }
    }
    return out;
  })()`);
}
