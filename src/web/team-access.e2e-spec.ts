import type { Page } from 'playwright-core';
import { Browser, chromiumPath, launchBrowser } from '../../test/support/browser';
import {
  countOf,
  openSection,
  screenshot as takeScreenshot,
  signInWithKey,
  signInWithPassword,
  signOut,
  BROWSER_TEST_APP_ENV,
} from '../../test/support/dashboard-page';
import { createTestApp, TEST_API_KEY, TestApp } from '../../test/support/test-app';
import { waitFor } from '../../test/support/wait-for';

/**
 * Team access in a real browser, from the first start on: the service key creates the first admin;
 * the admin adds a manager (with a password) and a viewer (by invitation) on the People page; the
 * manager imports contacts and runs a campaign; the viewer accepts the invitation, reads the report
 * without any action or phone-number export, and manages their own API token.
 */
const ADMIN = { name: 'Olga Admin', email: 'olga@example.com', password: 'olga-password-2026' };
const MANAGER = { name: 'Maria Manager', email: 'maria@example.com', password: 'maria-password-2026' };
const VIEWER = { name: 'Victor Viewer', email: 'victor@example.com', password: 'victor-password-2026' };
const CONTACTS_CSV = ['phone,name', '+79161230001,Ирина', '+79161230002,Пётр', 'oops,Broken'].join('\n');
const CAMPAIGN_ACTION_BUTTONS = [
  'Schedule',
  'Start now',
  'Pause',
  'Resume',
  'Cancel campaign',
  'Retry failed',
  'Send test',
];

jest.setTimeout(120_000);

describe('team access in the dashboard (browser)', () => {
  let testApp: TestApp;
  let browser: Browser;
  let page: Page;
  let inviteLink: string;
  let campaignId: string;
  let listId: string;

  beforeAll(async () => {
    testApp = await createTestApp({
      env: BROWSER_TEST_APP_ENV,
      sandbox: {
        seed: 7,
        whatsappNewClientDelaySeconds: 0,
        statuses: { deliveredAfterMs: 300, readAfterMs: 600, failRate: 0, readRate: 0.5 },
      },
    });
    browser = await launchBrowser(chromiumPath());
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: testApp.url });
    page = await browser.context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('dialog', (dialog) => void dialog.accept());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  const screenshot = (name: string) => takeScreenshot(page, name);
  const who = (name: string, role: string) =>
    page.locator('.who').filter({ hasText: name }).filter({ hasText: role }).waitFor();
  // Gone, or never there: the page may still be re-rendering after the last action.
  const absent = (locator: ReturnType<Page['locator']>) =>
    waitFor(
      () => locator.count(),
      (count) => count === 0,
      10_000,
    );
  const navLink = (name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true });
  const row = (text: string) => page.getByRole('row').filter({ hasText: text });

  it('first start: the service key is offered to create the first admin, who is then signed in', async () => {
    await page.goto(`${testApp.url}/`);
    await signInWithKey(page, TEST_API_KEY);
    await page.getByRole('heading', { name: 'The first admin' }).waitFor();
    await who('Service key', 'Admin');

    await page.getByRole('link', { name: 'Later' }).click();
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    const banner = page.getByRole('region', { name: 'First start: nobody has an account yet' });
    await banner.waitFor();
    await screenshot('first-start');
    await banner.getByRole('link', { name: 'Create the first admin' }).click();

    await page.getByLabel('Name', { exact: true }).fill(ADMIN.name);
    await page.getByLabel('E-mail', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill('too short');
    await page.getByLabel('Repeat the password').fill('too short');
    await page.getByRole('button', { name: 'Create the admin and sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'at least 12 characters' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Repeat the password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create the admin and sign in' }).click();

    await page.getByText(`Welcome, ${ADMIN.name}!`).waitFor();
    await who(ADMIN.name, 'Admin');
    await absent(page.getByRole('region', { name: 'First start: nobody has an account yet' }));
    // The service key's session is over: the browser is the admin's now.
    const me = await page.request.get(`${testApp.url}/api/me`);
    expect(await me.json()).toMatchObject({ actor: 'user', role: 'admin', hasPeople: true });
  });

  it('the admin adds a manager with a password and a viewer by invitation, changes roles and access', async () => {
    await openSection(page, 'People');
    await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();

    await page.getByLabel('Name', { exact: true }).fill(MANAGER.name);
    await page.getByLabel('E-mail', { exact: true }).fill(MANAGER.email);
    await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Manager' });
    await page.getByLabel('Password', { exact: true }).fill(MANAGER.password);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await row(MANAGER.email).filter({ hasText: 'Active' }).waitFor();

    await page.getByLabel('Name', { exact: true }).fill(VIEWER.name);
    await page.getByLabel('E-mail', { exact: true }).fill(VIEWER.email);
    await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Viewer' });
    await page.getByLabel('Invitation link: they choose their own password').check();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    inviteLink = await page.getByLabel('Invitation link', { exact: true }).inputValue();
    expect(inviteLink).toMatch(/#\/accept\?token=[\w-]{20,}$/);
    await page.getByText('The link is shown only once and works for 7 days').waitFor();
    await row(VIEWER.email).filter({ hasText: 'Invitation pending' }).waitFor();
    await screenshot('people');
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied', { exact: true }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(inviteLink);

    await page.getByLabel(`Role of ${VIEWER.name}`).selectOption('manager');
    await page.getByText(`${VIEWER.name} is now Manager`).waitFor();
    await page.getByLabel(`Role of ${VIEWER.name}`).selectOption('viewer');
    await page.getByText(`${VIEWER.name} is now Viewer`).waitFor();

    await page.getByRole('button', { name: `Disable ${MANAGER.name}` }).click();
    await row(MANAGER.email).filter({ hasText: 'Disabled' }).waitFor();
    await page.getByRole('button', { name: `Enable ${MANAGER.name}` }).click();
    await row(MANAGER.email).filter({ hasText: 'Active' }).waitFor();

    await page.getByLabel('Name', { exact: true }).fill('Temporary Person');
    await page.getByLabel('E-mail', { exact: true }).fill('temp@example.com');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await row('temp@example.com').waitFor();
    await page.getByRole('button', { name: 'Delete Temporary Person' }).click();
    await page.getByText('Temporary Person is no longer on the team').waitFor();
    await absent(row('temp@example.com'));
    // Oneself: no disabling or deleting, the role is not a choice.
    await absent(page.getByRole('button', { name: `Disable ${ADMIN.name}` }));
    await absent(page.getByLabel(`Role of ${ADMIN.name}`));
  });

  it("opens a person's actions in the audit log, filtered by that person", async () => {
    await page.getByRole('link', { name: `Activity of ${ADMIN.name}` }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    expect(page.url()).toContain('#/audit?actorId=');
    const who = page.getByLabel('Who');
    await page.waitForFunction(() => document.querySelectorAll('#audit-actor option').length > 2);
    expect(await who.locator('option:checked').textContent()).toBe(`${ADMIN.name} <${ADMIN.email}>`);
    await row(`Person added`).filter({ hasText: MANAGER.email }).waitFor();
    await row('Access disabled').filter({ hasText: MANAGER.email }).waitFor();
    await row('Person deleted').filter({ hasText: 'temp@example.com' }).waitFor();
    // Everything here was done by the admin in person.
    const actors = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(new Set(actors)).toEqual(new Set([`${ADMIN.name} <${ADMIN.email}>`]));
    await screenshot('audit');

    await who.selectOption({ label: 'Everyone' });
    await row('Person added').filter({ hasText: ADMIN.email }).filter({ hasText: 'Service key' }).waitFor();
  });

  it('the manager signs in with e-mail and password, imports contacts and runs a campaign', async () => {
    await signOut(page);
    await signInWithPassword(page, MANAGER.email, MANAGER.password);
    await who(MANAGER.name, 'Manager');
    await absent(navLink('People'));

    await openSection(page, 'Contact lists');
    await page.getByLabel('New list name').fill('Team pickup');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByRole('heading', { name: 'Team pickup' }).waitFor();
    listId = /#\/lists\/([^/?]+)/.exec(page.url())![1];
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'team.csv', mimeType: 'text/csv', buffer: Buffer.from(CONTACTS_CSV) });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.getByText('Import complete').waitFor({ timeout: 90_000 });
    expect(await countOf(page, 'New contacts')).toBe('2');
    await page.getByRole('link', { name: /Download 1 rejected rows/ }).waitFor();

    await openSection(page, 'Campaigns');
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Campaign name').fill('Team reminder');
    await page.getByLabel('Contact list').selectOption({ label: 'Team pickup (2 contacts)' });
    await page.getByLabel('Messenger').selectOption('whatsapp');
    await page.getByLabel('Chat2Desk channel').fill('1');
    await page.getByLabel('Text', { exact: true }).fill('{{name|Клиент}}, заказ готов.');
    await page.getByRole('button', { name: 'Save draft and preview' }).click();
    await page.getByRole('heading', { name: /Team reminder/ }).waitFor();
    campaignId = /#\/campaigns\/([^/?]+)/.exec(page.url())![1];
    await page.getByRole('button', { name: 'Start now' }).click();
    await page.getByText('Completed', { exact: true }).waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: 'Export recipients (CSV)' }).waitFor();
  });

  it('the viewer accepts the invitation and reads the report without actions or phone exports', async () => {
    await signOut(page);
    await page.goto(inviteLink);
    await page.getByRole('heading', { name: 'Accept the invitation' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill(VIEWER.password);
    await page.getByLabel('Repeat the password').fill(VIEWER.password);
    await page.getByRole('button', { name: 'Set the password and sign in' }).click();
    await page.getByText(`Welcome, ${VIEWER.name}!`).waitFor();
    await who(VIEWER.name, 'Viewer');
    await absent(navLink('People'));

    await page.getByRole('link', { name: 'Team reminder' }).waitFor();
    await absent(page.getByRole('link', { name: 'New campaign' }));
    await page.getByRole('link', { name: 'Team reminder' }).click();
    await page.getByRole('heading', { name: 'Report' }).waitFor();
    await page.getByText('Completed', { exact: true }).waitFor();
    await page.locator('.chart').waitFor();
    for (const name of CAMPAIGN_ACTION_BUTTONS) await absent(page.getByRole('button', { name }));
    await absent(page.getByRole('link', { name: 'Export recipients (CSV)' }));
    // The API agrees: phone numbers are not for viewers.
    const csv = await page.request.get(`${testApp.url}/api/campaigns/${campaignId}/recipients.csv`);
    expect(csv.status()).toBe(403);
    expect(await csv.json()).toMatchObject({ error: 'role_forbidden' });

    await openSection(page, 'Contact lists');
    await page.getByRole('link', { name: 'Team pickup' }).waitFor();
    await absent(page.getByRole('button', { name: 'Create list' }));
    await absent(page.getByRole('button', { name: /Delete/ }));
    await page.getByRole('link', { name: 'Team pickup' }).click();
    await page.getByRole('cell', { name: '+79161230002' }).waitFor();
    await absent(page.getByRole('button', { name: 'Upload and import' }));
    const imports = await page.request.get(`${testApp.url}/api/lists/${listId}/imports`);
    const [job] = ((await imports.json()) as { items?: { id: string }[] }).items ?? (await imports.json());
    const rejected = await page.request.get(`${testApp.url}/api/imports/${job.id}/rejected.csv`);
    expect(rejected.status()).toBe(403);

    await page.goto(`${testApp.url}/#/campaigns/new`);
    await page.getByText('This page needs the “Manager” role; yours is “Viewer”').waitFor();
    await page.goto(`${testApp.url}/#/people`);
    await page.getByText('This page needs the “Admin” role; yours is “Viewer”').waitFor();
  });

  it("the viewer's tokens page creates a viewer token shown once, and revokes it", async () => {
    await openSection(page, 'API tokens');
    await page.getByRole('heading', { name: 'API tokens', level: 1 }).waitFor();
    await page.getByText('No tokens yet.').waitFor();
    const roles = await page.getByLabel('Role', { exact: true }).locator('option').allTextContents();
    expect(roles).toEqual(['Viewer']);
    await page.getByLabel('Token name').fill('Weekly report');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('Copy the token now: it is shown only this once.').waitFor();
    const token = await page.getByLabel('Token “Weekly report”').inputValue();
    await row('Weekly report').filter({ hasText: 'Not used yet' }).waitFor();
    await screenshot('tokens');

    const bearer = { Authorization: `Bearer ${token}` };
    expect((await fetch(`${testApp.url}/api/campaigns`, { headers: bearer })).status).toBe(200);
    const create = await fetch(`${testApp.url}/api/lists`, {
      method: 'POST',
      headers: { ...bearer, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Not allowed' }),
    });
    expect(create.status).toBe(403);

    await page.getByRole('button', { name: 'Revoke token Weekly report' }).click();
    await page.getByText('Token “Weekly report” revoked').waitFor();
    await page.getByText('No tokens yet.').waitFor();
    expect((await fetch(`${testApp.url}/api/campaigns`, { headers: bearer })).status).toBe(401);

    await openSection(page, 'Audit log');
    await page.getByLabel('Who').selectOption({ label: 'Only me' });
    await row('API token revoked').filter({ hasText: '“Weekly report”' }).waitFor();
    await row('Invitation accepted').waitFor();
  });
});
