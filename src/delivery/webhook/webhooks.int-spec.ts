import { Logger } from '@nestjs/common';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { CampaignStore } from '../../campaigns/campaign.store';
import { OPTED_OUT_REASON } from '../../common/domain';
import { RunPreparationService } from '../../campaigns/runs/run-preparation.service';
import { createCampaignRow, createContactList, recipientsOf } from '../../../test/support/campaign.factory';
import { insertCampaign, insertRecipients } from '../../../test/support/delivery-fixtures';
import { postWebhook as postSigned, TEST_WEBHOOK_SECRET, WEBHOOK_ENV } from '../../../test/support/webhook';
import { signWebhookBody } from './webhook-signature';

const SECRET = TEST_WEBHOOK_SECRET;

function postWebhook(testApp: TestApp, body: string, signature?: string): Promise<Response> {
  return postSigned(testApp.url, body, signature ?? null);
}

describe('POST /api/webhooks/chat2desk without CHAT2DESK_WEBHOOK_SECRET', () => {
  let testApp: TestApp;
  let warnings: string[];

  beforeAll(async () => {
    warnings = [];
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((message: unknown) => void warnings.push(String(message)));
    try {
      testApp = await createTestApp();
    } finally {
      warn.mockRestore();
    }
  });

  afterAll(() => testApp?.close());

  it('warns at boot that the webhook is off', () => {
    expect(warnings).toEqual([expect.stringContaining('CHAT2DESK_WEBHOOK_SECRET is not set')]);
  });

  it('answers 503 naming the variable, and changes nothing', async () => {
    const { dataSource } = testApp.database;
    const campaign = await insertCampaign(dataSource);
    const [id] = await insertRecipients(dataSource, campaign, [
      { phone: '79001230001', messageId: 555_001, state: 'sent', sentAt: new Date() },
    ]);
    const forged = [
      { event: 'inbox', text: 'STOP', client: { phone: '79001230001' } },
      { event: 'outbox_status', message_id: 555_001, recipient_status: 'failed' },
    ];
    for (const event of forged) {
      const response = await postWebhook(testApp, JSON.stringify(event));
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        error: 'webhook_secret_missing',
        message: expect.stringContaining('CHAT2DESK_WEBHOOK_SECRET'),
      });
    }
    expect(await dataSource.query(`SELECT 1 FROM opt_outs WHERE phone = '79001230001'`)).toEqual([]);
    const [row] = await dataSource.query(`SELECT state FROM campaign_recipients WHERE id = $1`, [id]);
    expect(row.state).toBe('sent');
  });

  it('refuses to register the webhook, naming the variable', async () => {
    const response = await fetch(`${testApp.url}/api/webhooks/register`, {
      method: 'POST',
      headers: { ...testApp.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${testApp.url}/api/webhooks/chat2desk` }),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      error: 'webhook_secret_missing',
      message: expect.stringContaining('CHAT2DESK_WEBHOOK_SECRET'),
    });
    expect(testApp.sandbox.state.webhooks).toHaveLength(0);
  });
});

describe('POST /api/webhooks/chat2desk with CHAT2DESK_WEBHOOK_SECRET set', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ env: WEBHOOK_ENV });
  });

  afterAll(() => testApp?.close());

  it('accepts a correct signature over the exact raw bytes and rejects a wrong or missing one with 401', async () => {
    // Spacing that re-serialized JSON would change: only the raw bytes verify.
    const body = '{ "event": "inbox",  "text": "hello", "client": {"phone": "79001112233"} }';
    expect((await postWebhook(testApp, body, signWebhookBody(body, SECRET))).status).toBe(200);
    expect((await postWebhook(testApp, body, signWebhookBody(body, 'wrong-secret'))).status).toBe(401);
    expect((await postWebhook(testApp, body)).status).toBe(401);
    expect(
      (await postWebhook(testApp, body, signWebhookBody(JSON.stringify(JSON.parse(body)), SECRET))).status,
    ).toBe(401);
  });
});

// The sandbox signs its calls with the app's secret, as Chat2Desk does.
describe('POST /api/webhooks/chat2desk', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ env: WEBHOOK_ENV });
  });

  afterAll(() => testApp?.close());

  const post = (body: string) => postWebhook(testApp, body, signWebhookBody(body, SECRET));

  async function optOutRow(phone: string): Promise<{ source: string; reason: string } | undefined> {
    const [row] = await testApp.database.dataSource.query(
      `SELECT source, reason FROM opt_outs WHERE phone = $1`,
      [phone],
    );
    return row;
  }

  it('registers with Chat2Desk, then opts out a contact whose stop word the sandbox delivers', async () => {
    const register = await fetch(`${testApp.url}/api/webhooks/register`, {
      method: 'POST',
      headers: { ...testApp.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${testApp.url}/api/webhooks/chat2desk` }),
    });
    expect(register.status).toBe(201);
    expect(await register.json()).toMatchObject({
      api: 'webhooks',
      events: ['inbox', 'outbox', 'outbox_status'],
    });
    expect(testApp.sandbox.state.webhooks).toHaveLength(1);

    testApp.sandbox.seedClients({ phones: ['79005550001'] });
    await testApp.sandbox.inbox({ phone: '79005550001', text: '  Стоп! ' });
    expect(await optOutRow('79005550001')).toMatchObject({
      source: 'webhook',
      reason: expect.stringContaining('stop word "Стоп!"'),
    });
  });

  it('excludes a contact opted out by a stop word from the next campaign', async () => {
    const { dataSource } = testApp.database;
    const listId = await createContactList(dataSource, [
      { phone: '79006660001', name: 'Anna' },
      { phone: '79006660002', name: 'Boris' },
    ]);
    testApp.sandbox.seedClients({ phones: ['79006660001'] });
    await testApp.sandbox.inbox({ phone: '79006660001', text: 'отписаться' });

    const campaignId = await createCampaignRow(dataSource, { listId, state: 'running' });
    const campaign = await testApp.app.get(CampaignStore).get(campaignId);
    await testApp.app.get(RunPreparationService).prepareRun(campaign, new Date());
    const recipients = await recipientsOf(dataSource, campaignId);
    expect(recipients.map(({ phone, state, reason }) => ({ phone, state, reason }))).toEqual([
      { phone: '79006660001', state: 'skipped', reason: OPTED_OUT_REASON },
      { phone: '79006660002', state: 'pending', reason: null },
    ]);
  });

  it('needs the API key to register', async () => {
    const response = await fetch(`${testApp.url}/api/webhooks/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://example.com/hook' }),
    });
    expect(response.status).toBe(401);
  });

  it('finds the phone of a client the payload names only by id; ignores ordinary messages and other events', async () => {
    const { dataSource } = testApp.database;
    const campaign = await insertCampaign(dataSource);
    await insertRecipients(dataSource, campaign, [
      { phone: '79007770001', clientId: 4242, messageId: 1, state: 'delivered' },
    ]);
    const ordinary = JSON.stringify({ type: 'from_client', client_id: 4242, text: 'Thanks!' });
    expect(await (await post(ordinary)).json()).toEqual({ handled: 'inbox' });
    expect(await optOutRow('79007770001')).toBeUndefined();

    const stop = JSON.stringify({ type: 'from_client', client_id: 4242, text: 'STOP' });
    expect(await (await post(stop)).json()).toEqual({ handled: 'opted_out', phone: '79007770001' });
    expect(await optOutRow('79007770001')).toMatchObject({ source: 'webhook' });

    const stranger = JSON.stringify({ event: 'inbox', client_id: 999_999, text: 'stop' });
    expect(await (await post(stranger)).json()).toEqual({
      handled: 'stop_word_unknown_client',
      clientId: 999_999,
    });
    const other = JSON.stringify({ event: 'close_dialog', client_id: 4242 });
    expect(await (await post(other)).json()).toEqual({ handled: 'ignored', event: 'close_dialog' });
  });

  it('applies outbox_status events to recipients, recorded with source webhook', async () => {
    const { dataSource } = testApp.database;
    const campaign = await insertCampaign(dataSource);
    const [id] = await insertRecipients(dataSource, campaign, [
      { phone: '79008880001', messageId: 777_001, state: 'delivered', sentAt: new Date() },
    ]);
    const event = JSON.stringify({ event: 'outbox_status', message_id: 777_001, recipient_status: 'read' });
    expect(await (await post(event)).json()).toEqual({ handled: 'status', transitions: 1 });
    // Replayed: nothing moves twice.
    expect(await (await post(event)).json()).toEqual({ handled: 'status', transitions: 0 });
    const [row] = await dataSource.query(
      `SELECT state, raw_status, read_at IS NOT NULL AS has_read_at FROM campaign_recipients WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ state: 'read', raw_status: 'read', has_read_at: true });
    const events = await dataSource.query(
      `SELECT from_state, to_state, source FROM recipient_status_events WHERE recipient_id = $1`,
      [id],
    );
    expect(events).toEqual([{ from_state: 'delivered', to_state: 'read', source: 'webhook' }]);
  });

  it('never moves a recipient backwards: older or forged statuses are ignored whole', async () => {
    const { dataSource } = testApp.database;
    const campaign = await insertCampaign(dataSource);
    const checkedAt = new Date(Date.now() - 60_000);
    const ids = await insertRecipients(dataSource, campaign, [
      { phone: '79008890001', messageId: 778_001, state: 'read', rawStatus: 'read', readAt: checkedAt },
      { phone: '79008890002', messageId: 778_002, state: 'delivered', rawStatus: 'delivered' },
      {
        phone: '79008890003',
        messageId: 778_003,
        state: 'failed',
        rawStatus: 'failed',
        reason: 'Chat2Desk: failed',
      },
      {
        phone: '79008890004',
        messageId: 778_004,
        state: 'unknown',
        rawStatus: 'queued',
        reason: 'no final status',
      },
    ]);
    await dataSource.query(`UPDATE campaign_recipients SET status_checked_at = $2 WHERE id = ANY($1)`, [
      ids,
      checkedAt,
    ]);
    const before = await dataSource.query(
      `SELECT id, state, raw_status, reason, delivered_at, read_at, failed_at, status_checked_at
       FROM campaign_recipients WHERE id = ANY($1) ORDER BY id`,
      [ids],
    );
    const older: Array<[number, string]> = [
      [778_001, 'delivered'],
      [778_001, 'sent'],
      [778_001, 'failed'],
      [778_002, 'sent'],
      [778_002, 'pending'],
      [778_002, 'failed'],
      [778_003, 'delivered'],
      [778_003, 'read'],
      [778_004, 'pending'],
    ];
    for (const [messageId, status] of older) {
      const event = JSON.stringify({
        event: 'outbox_status',
        message_id: messageId,
        recipient_status: status,
      });
      expect(await (await post(event)).json()).toEqual({ handled: 'status', transitions: 0 });
    }
    const after = await dataSource.query(
      `SELECT id, state, raw_status, reason, delivered_at, read_at, failed_at, status_checked_at
       FROM campaign_recipients WHERE id = ANY($1) ORDER BY id`,
      [ids],
    );
    expect(after).toEqual(before);
    expect(
      await dataSource.query(`SELECT 1 FROM recipient_status_events WHERE recipient_id = ANY($1)`, [ids]),
    ).toEqual([]);

    // Forward still works: delivered → read, a late delivered settles the unknown.
    for (const [messageId, status] of [
      [778_002, 'read'],
      [778_004, 'delivered'],
    ] as const) {
      const event = JSON.stringify({
        event: 'outbox_status',
        message_id: messageId,
        recipient_status: status,
      });
      expect(await (await post(event)).json()).toEqual({ handled: 'status', transitions: 1 });
    }
  });
});
