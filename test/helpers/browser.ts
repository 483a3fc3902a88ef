// The web UI in a real browser: Debian's Chromium, headless, driven by playwright-core (issue 6). Each
// page records its console errors and uncaught exceptions; `expectNoConsoleErrors` fails the test on any.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SYSTEM } from '../../src/chatter/actor.ts';
import type { ChatterDeps } from '../../src/chatter/deps.ts';
import { createUser, type UserInput } from '../../src/chatter/users.ts';
import { startTestServer, type TestServer } from './http.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

export interface BrowserWorld {
  /** The app on a fresh database, with an API key client (the host application). */
  readonly server: TestServer;
  readonly browser: Browser;
  /** A fresh page (its own cookies) on the app: `openPage(browser, server.baseUrl, options)`. */
  openPage(options?: { locale?: string }): Promise<UiPage>;
}

/**
 * What a browser test file runs against: registers the `before` hook that starts a test server and
 * Chromium (side by side) and the `after` hook that closes both. Call it at the top of a `describe`;
 * read `server` and `browser` inside the tests (they exist once the `before` hook has run).
 */
export function useBrowserWorld(): BrowserWorld {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      return server ?? assert.fail('the test server is not started: useBrowserWorld() runs in before()');
    },
    get browser() {
      return browser ?? assert.fail('the browser is not launched: useBrowserWorld() runs in before()');
    },
    openPage(options) {
      return openPage(this.browser, this.server.baseUrl, options);
    },
  };
}

export interface UiPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** A fresh browser context (its own cookies) on the app, language forced to `locale`. */
export async function openPage(browser: Browser, baseUrl: string, options: { locale?: string } = {}): Promise<UiPage> {
  const context = await browser.newContext({ baseURL: baseUrl, locale: options.locale ?? 'en-GB', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { page, context, problems, close: () => context.close() };
}

export function expectNoConsoleErrors(ui: UiPage): void {
  assert.deepEqual(ui.problems, [], 'the browser console stayed free of errors');
}

/**
 * A refusal the test provokes (a 4xx the UI shows in words) is logged by Chromium itself as a console
 * error: checks it was seen, then forgets it — only it. `every` forgets all the lines for that status
 * (a refusal the page may ask for more than once, e.g. a live preview), still requiring one.
 */
export function forgetRefusal(ui: UiPage, status: number, options: { every?: boolean } = {}): void {
  const expected = `the server responded with a status of ${status}`;
  const index = ui.problems.findIndex((problem) => problem.includes(expected));
  assert.ok(index >= 0, `the browser saw the ${status}: ${ui.problems.join(' | ')}`);
  if (options.every) ui.problems.splice(0, ui.problems.length, ...ui.problems.filter((problem) => !problem.includes(expected)));
  else ui.problems.splice(index, 1);
}

let counter = 0;

/** A person who can log in (password "password-123"). */
export async function uiUser(deps: ChatterDeps, name: string, options: Partial<UserInput> = {}) {
  counter += 1;
  const login = `${name.toLowerCase().replace(/\W+/g, '.')}.${counter}`;
  const password = 'password-123';
  const user = await createUser(deps, SYSTEM, {
    login,
    role: 'internal',
    password,
    partner: { name, email: `${login}@company.example.com` },
    ...options,
  });
  return { ...user, password };
}

export async function logIn(ui: UiPage, login: string, password: string): Promise<void> {
  const { page } = ui;
  await page.goto('/');
  await page.getByLabel(/^(Login|Identifiant)$/).fill(login);
  await page.getByLabel(/^(Password|Mot de passe)$/).fill(password);
  await page.getByRole('button', { name: /^(Log in|Se connecter)$/ }).click();
  await page.locator('.topbar').waitFor();
}
