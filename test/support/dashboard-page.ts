import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

/** Helpers the dashboard's browser tests share (src/web/*.e2e-spec.ts). */

/** The app the browser tests drive: loops on, no WhatsApp wait, fast polling, a roomy rate limit. */
export const BROWSER_TEST_APP_ENV = {
  SCHEDULER_ENABLED: 'true',
  DISPATCH_POLL_INTERVAL_MS: '100',
  TRACKING_POLL_INTERVAL_MS: '200',
  WHATSAPP_NEW_CLIENT_DELAY_SECONDS: '0',
  WHATSAPP_SAFETY_MARGIN_SECONDS: '0',
  DISPATCH_PREPARATION_MARGIN_SECONDS: '0',
  CHAT2DESK_RATE_LIMIT_PER_SECOND: '50',
};

/** Where `npm run docs:screenshots` wants the pictures (DASHBOARD_SCREENSHOTS_DIR), if anywhere. */
export function screenshotsDir(): string | undefined {
  const dir = process.env.DASHBOARD_SCREENSHOTS_DIR;
  if (!dir) return undefined;
  mkdirSync(resolve(dir), { recursive: true });
  return resolve(dir);
}

/** A full-page screenshot `<name>.png` when DASHBOARD_SCREENSHOTS_DIR is set; nothing otherwise. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = screenshotsDir();
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

export async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name }).click();
}

/** The figure of a labelled stat (`<div class="stat"><dt>label</dt><dd>value</dd></div>`). */
export async function countOf(page: Page, label: string): Promise<string> {
  return (
    (await page
      .locator('.stat', { has: page.getByText(label, { exact: true }) })
      .locator('dd')
      .textContent()) ?? ''
  );
}

/** Clicks something that downloads a file and returns the file's text. */
export async function download(page: Page, click: () => Promise<void>): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFileSync((await file.path())!, 'utf8');
}

/** Signs in on the sign-in page with a person's e-mail and password. */
export async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs in on the sign-in page with the service key (the secondary way in). */
export async function signInWithKey(page: Page, key: string): Promise<void> {
  await page.getByText('Sign in with the service key').click();
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in with the key' }).click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}
