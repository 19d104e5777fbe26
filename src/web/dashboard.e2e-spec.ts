import { get } from 'node:http';
import type { Page } from 'playwright-core';
import { createTestApp, TestApp } from '../../test/support/test-app';
import { Browser, chromiumPath, launchBrowser } from '../../test/support/browser';
import {
  countOf,
  download,
  openSection,
  screenshot as takeScreenshot,
  signInWithPassword,
  BROWSER_TEST_APP_ENV,
} from '../../test/support/dashboard-page';

/**
 * The dashboard in a real browser against the real app and the Chat2Desk sandbox: sign in, import a
 * CSV, create and start a campaign, watch it complete, download the report. Signed in as an admin
 * created through the API; the first start, people, roles and tokens: team-access.e2e-spec.ts.
 *
 * Chromium comes from `npm test`'s pretest step (test/support/ensure-chromium.ts).
 * `npm run docs:screenshots` refreshes the README's screenshots.
 */
const ADMIN = { email: 'anna@example.com', name: 'Анна Смирнова', password: 'anna-password-2026' };

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
      env: BROWSER_TEST_APP_ENV,
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
    const created = await testApp.call('POST', '/api/users', { ...ADMIN, role: 'admin' });
    expect(created.status).toBe(201);
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) blocked.push(message.text());
    });
    page.on('pageerror', (error) => blocked.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  const screenshot = (name: string) => takeScreenshot(page, name);

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

  it('refuses a wrong password, then signs in with e-mail and password and shows who is signed in', async () => {
    await page.goto(`${testApp.url}/`);
    await signInWithPassword(page, ADMIN.email, 'not-the-password');
    await page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password' }).waitFor();
    await screenshot('sign-in');
    await signInWithPassword(page, ADMIN.email, ADMIN.password);
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await page.locator('.who').filter({ hasText: ADMIN.name }).filter({ hasText: 'Admin' }).waitFor();
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
    await page.getByLabel('Эл. почта').waitFor();
    expect((await page.request.get(`${testApp.url}/api/lists`)).status()).toBe(401);
  });

  it('ran every page above under its Content-Security-Policy without a violation', () => {
    expect(blocked).toEqual([]);
  });
});

/** Node's own client: fetch() turns a conditional request into `Cache-Control: no-cache`. */
function statusOf(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
}
