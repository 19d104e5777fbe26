import { mkdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { createTestApp, TEST_API_KEY, TestApp } from '../../test/support/test-app';
import { Browser, chromiumPath, launchBrowser } from '../../test/support/browser';

/**
 * The dashboard in a real browser against the real app and the Chat2Desk sandbox: sign in, import a
 * CSV, create and start a campaign, watch it complete, download the report.
 *
 * Chromium comes from `npm test`'s pretest step (test/support/ensure-chromium.ts).
 * `npm run docs:screenshots` refreshes the README's screenshots.
 */
const screenshotsDir = process.env.DASHBOARD_SCREENSHOTS_DIR
  ? resolve(process.env.DASHBOARD_SCREENSHOTS_DIR)
  : undefined;

const CONTACTS_CSV = [
  'Телефон;ФИО;order_id',
  '8 (916) 123-45-67;Анна Смирнова;A-1001',
  '+7 916 123 45 68;Boris Petrov;A-1002',
  '79161234569;Вера Козлова;A-1003',
  '9161234570;Gleb Orlov;',
  '79161234567;Анна (повтор);A-1005',
  'not a phone;Broken Row;A-1006',
].join('\r\n');
// Generous: the suite shares two cores with the rest of `npm test`.
jest.setTimeout(120_000);

const IMPORTED_PHONES = ['79161234567', '79161234568', '79161234569', '79161234570'];

describe('dashboard in a browser', () => {
  let testApp: TestApp;
  let browser: Browser;
  let page: Page;
  /** Anything the page's Content-Security-Policy blocked, and uncaught page errors. */
  const blocked: string[] = [];

  beforeAll(async () => {
    testApp = await createTestApp({
      env: {
        SCHEDULER_ENABLED: 'true',
        DISPATCH_POLL_INTERVAL_MS: '100',
        TRACKING_POLL_INTERVAL_MS: '200',
        WHATSAPP_NEW_CLIENT_DELAY_SECONDS: '0',
        WHATSAPP_SAFETY_MARGIN_SECONDS: '0',
        DISPATCH_PREPARATION_MARGIN_SECONDS: '0',
        CHAT2DESK_RATE_LIMIT_PER_SECOND: '50',
      },
      sandbox: {
        // Fates are per message id: with seed 16 the test send (message 1) is delivered, one of the
        // campaign's three messages (2–4) fails, and its retry (message 5) is delivered.
        seed: 16,
        whatsappNewClientDelaySeconds: 0,
        statuses: { deliveredAfterMs: 300, readAfterMs: 600, failRate: 0.5, readRate: 0.5 },
      },
    });
    browser = await launchBrowser(chromiumPath());
    page = await browser.context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('dialog', (dialog) => void dialog.accept());
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) blocked.push(message.text());
    });
    page.on('pageerror', (error) => blocked.push(error.message));
    if (screenshotsDir) mkdirSync(screenshotsDir, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  const screenshot = async (name: string) => {
    if (screenshotsDir) await page.screenshot({ path: join(screenshotsDir, `${name}.png`), fullPage: true });
  };

  it('serves the dashboard at / with revalidating cache headers, without credentials', async () => {
    const response = await fetch(`${testApp.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("style-src 'self'");
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe');
    expect(await response.text()).toContain('/js/app.js');
    const script = await fetch(`${testApp.url}/js/app.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const etag = script.headers.get('etag')!;
    expect(await statusOf(`${testApp.url}/js/app.js`, { 'If-None-Match': etag })).toBe(304);
    expect((await fetch(`${testApp.url}/api/lists`)).status).toBe(401);
  });

  it('refuses a wrong key with the API message, then signs in with the right one', async () => {
    await page.goto(`${testApp.url}/`);
    await page.getByLabel('API key').fill('wrong-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong API key' }).waitFor();
    await screenshot('sign-in');
    await page.getByLabel('API key').fill(TEST_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
  });

  it('creates a list, uploads a CSV with progress and accounts for every row', async () => {
    await openSection(page, 'Contact lists');
    await page.getByLabel('New list name').fill('Order pickup, November');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByRole('heading', { name: 'Order pickup, November' }).waitFor();
    await openSection(page, 'Contact lists');
    await page.getByLabel('New list name').fill('Order pickup, November');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'A list named "Order pickup, November" already exists' })
      .waitFor();
    await page.getByRole('link', { name: 'Order pickup, November' }).click();

    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(CONTACTS_CSV) });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.getByText('Import complete').waitFor({ timeout: 90_000 });
    expect(await countOf(page, 'Rows in file')).toBe('6');
    expect(await countOf(page, 'New contacts')).toBe('4');
    expect(await countOf(page, 'Duplicates')).toBe('1');
    expect(await countOf(page, 'Rejected')).toBe('1');

    const rejected = await download(page, () =>
      page.getByRole('link', { name: /Download 1 rejected rows/ }).click(),
    );
    expect(rejected).toContain('not a phone');

    await page.getByRole('cell', { name: '+79161234570' }).waitFor();
    await screenshot('list-import');
    await page.getByLabel('Search contacts').fill('Вера');
    await page.getByRole('cell', { name: '+79161234569' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
  });

  it('creates a campaign, previews it, starts it and watches it complete', async () => {
    await openSection(page, 'Campaigns');
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Campaign name').fill('Orders ready');
    await page.getByLabel('Contact list').selectOption({ label: 'Order pickup, November (4 contacts)' });
    await page.getByLabel('Messenger').selectOption('whatsapp');
    await page.getByLabel('Chat2Desk channel').fill('1');
    await page
      .getByLabel('Text', { exact: true })
      .fill('Здравствуйте, {{name|клиент}}! Заказ {{order_id}} готов к выдаче.');
    await screenshot('campaign-new');

    await page.getByText('Schedule, repetition and send window').click();
    await page.getByLabel('Timezone').fill('Mars/Olympus_Mons');
    await page.getByRole('button', { name: 'Save draft and preview' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: '"Mars/Olympus_Mons" is not an IANA timezone' })
      .waitFor();
    await page.getByLabel('Timezone').fill('Europe/Moscow');
    await page.getByRole('button', { name: 'Save draft and preview' }).click();

    await page.getByRole('heading', { name: /Orders ready/ }).waitFor();
    const missingVariables = page
      .getByRole('status')
      .filter({ hasText: 'skipped for a missing variable: 1' });
    await missingVariables.getByText('+79161234570').waitFor();
    await page.getByText(/Needs about \d+ API requests/).waitFor();
    expect(await page.getByRole('button', { name: 'Start now' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Resume' }).isDisabled()).toBe(true);
    await page.getByLabel('Send a test to phone').fill('+7 916 123-45-67');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page
      .getByText('Sent to +79161234567: “Здравствуйте, Анна Смирнова! Заказ A-1001 готов к выдаче.”')
      .waitFor();
    await screenshot('campaign-draft');

    await page.getByRole('button', { name: 'Start now' }).click();
    await page.getByText('Completed', { exact: true }).waitFor({ timeout: 60_000 });
    expect(await page.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    await page.locator('.chart').waitFor();
    await screenshot('campaign-report');
  });

  it('retries the failed recipients from the report until none is left', async () => {
    expect(await countOf(page, 'Failed')).toBe('1');
    await page.getByRole('button', { name: 'Retry failed' }).click();
    await page.getByText('Failed recipients of “Orders ready” will be retried').waitFor();
    await page.waitForFunction(
      () =>
        document.querySelector('h1 .badge-completed') !== null &&
        document.querySelector('.stat-failed dd')?.textContent === '0',
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.getByRole('button', { name: 'Retry failed' }).isDisabled()).toBe(true);
  });

  it('exports the recipients as CSV from the report', async () => {
    const csv = await download(page, () =>
      page.getByRole('link', { name: 'Export recipients (CSV)' }).click(),
    );
    for (const phone of IMPORTED_PHONES) expect(csv).toContain(phone);
    expect(csv).toMatch(/delivered|read|failed/);
  });

  it('pauses, resumes and cancels a campaign waiting for its send window', async () => {
    // A one-hour window that is not now and does not cross midnight: the run waits in it.
    const now = new Date().getUTCHours();
    const windowStart = now < 20 ? now + 2 : now - 4;
    const hour = (value: number) => `${String(value).padStart(2, '0')}:00`;
    await openSection(page, 'Campaigns');
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Campaign name').fill('Evening reminder');
    await page.getByLabel('Contact list').selectOption({ label: 'Order pickup, November (4 contacts)' });
    await page.getByLabel('Messenger').selectOption('sms');
    await page.getByLabel('Chat2Desk channel').fill('1');
    await page.getByLabel('Text', { exact: true }).fill('{{name|Customer}}, your order is waiting.');
    await page.getByText('Schedule, repetition and send window').click();
    await page.getByLabel('Timezone').fill('UTC');
    await page.getByLabel('Send window from').fill(hour(windowStart));
    await page.getByLabel('Send window until').fill(hour(windowStart + 1));
    await page.getByLabel('Window is in').selectOption('campaign');
    await page.getByRole('button', { name: 'Save draft and preview' }).click();
    await page.getByRole('heading', { name: /Evening reminder/ }).waitFor();
    await page.getByText(/window \d\d:00–\d\d:00/).waitFor();

    await page.getByRole('button', { name: 'Start now' }).click();
    await page.getByText('Running', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Paused', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByText('Running', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Cancel campaign' }).click();
    await page.getByText('Cancelled', { exact: true }).waitFor();
    const buttons = ['Schedule', 'Start now', 'Pause', 'Resume', 'Cancel campaign', 'Retry failed'];
    for (const name of buttons) expect(await page.getByRole('button', { name }).isDisabled()).toBe(true);
  });

  it('shows campaigns with progress, the account quota, and Russian text after the toggle', async () => {
    await openSection(page, 'Campaigns');
    await page.getByRole('progressbar', { name: 'Progress of Orders ready' }).waitFor();
    await screenshot('campaigns');
    await openSection(page, 'Contact lists');
    await page.getByRole('link', { name: 'Order pickup, November' }).waitFor();
    await screenshot('lists');
    await openSection(page, 'Account');
    await page.getByText('Monthly limit').waitFor();
    await screenshot('quota');
    await page.getByRole('button', { name: 'Переключить на русский' }).click();
    await page.getByRole('heading', { name: 'Аккаунт Chat2Desk' }).waitFor();
    await page.reload();
    await openSection(page, 'Рассылки');
    await page.getByRole('heading', { name: 'Рассылки' }).waitFor();
    await screenshot('campaigns-ru');
  });

  it('signs out: the session cookie is gone and the sign-in page is back', async () => {
    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.getByRole('heading', { name: 'Вход' }).waitFor();
    await page.reload();
    await page.getByLabel('API-ключ').waitFor();
    expect((await page.request.get(`${testApp.url}/api/lists`)).status()).toBe(401);
  });

  it('ran every page above under its Content-Security-Policy without a violation', () => {
    expect(blocked).toEqual([]);
  });
});

async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name }).click();
}

/** Node's own client: fetch() turns a conditional request into `Cache-Control: no-cache`. */
function statusOf(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
}

async function countOf(page: Page, label: string): Promise<string> {
  return (
    (await page
      .locator('.stat', { has: page.getByText(label, { exact: true }) })
      .locator('dd')
      .textContent()) ?? ''
  );
}

async function download(page: Page, click: () => Promise<void>): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFileSync((await file.path())!, 'utf8');
}
