// The web UI in a real browser: Debian's Chromium, headless, driven by playwright-core (issue 6). Each
// page records its console errors and uncaught exceptions; `expectNoConsoleErrors` fails the test on any.
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SYSTEM } from '../../src/chatter/actor.ts';
import type { ChatterDeps } from '../../src/chatter/deps.ts';
import { createUser, type UserInput } from '../../src/chatter/users.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
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
