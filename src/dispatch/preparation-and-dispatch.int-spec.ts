import { TestApp, createTestApp } from '../../test/support/test-app';
import { TestMessageSender } from '../clients/test-message-sender';
import { CampaignRecipientsStore } from '../recipients/campaign-recipients.store';
import { DispatchWorker } from './dispatch-worker';
import { CREATION_DISABLED_REASON } from '../clients/client-resolver';
import {
  exactlyOnceProblems,
  phoneRange,
  recipientCounts,
  seedCampaign,
  seedKnownClients,
  tickUntilSent,
} from '../../test/support/dispatch-fixtures';

const WHATSAPP_DELAY_SECONDS = 2;

describe('preparation and dispatch against the sandbox over HTTP', () => {
  let testApp: TestApp;
  let worker: DispatchWorker;

  beforeAll(async () => {
    testApp = await createTestApp({
      env: {
        WHATSAPP_NEW_CLIENT_DELAY_SECONDS: String(WHATSAPP_DELAY_SECONDS),
        CHAT2DESK_RATE_LIMIT_PER_SECOND: '200',
        DISPATCH_POLL_INTERVAL_MS: '50',
      },
      sandbox: { whatsappNewClientDelaySeconds: WHATSAPP_DELAY_SECONDS, rateLimitPerSecond: 200 },
    });
    worker = testApp.app.get(DispatchWorker);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  beforeEach(() => {
    testApp.sandbox.reset();
    testApp.sandbox.configure({ clientCreation: 'upsert', faults: {} });
  });

  it('sends to known clients at once while new WhatsApp clients wait their delay, with no violation', async () => {
    const { dataSource } = testApp.database;
    const known = phoneRange('7901', 20);
    const unknown = phoneRange('7902', 5);
    await seedKnownClients(dataSource, testApp.sandbox, known);
    const { campaignId } = await seedCampaign(dataSource, { phones: [...known, ...unknown] });

    const first = await worker.tick();
    expect(first.sent).toBe(20);
    // Few unknown phones for a run starting now: looked up one by one, then created.
    expect(testApp.sandbox.ledger().requestsByRoute).toMatchObject({
      'GET /v1/clients': 5,
      'POST /v1/clients': 5,
    });
    expect(await recipientCounts(dataSource, campaignId)).toEqual({ sent: 20, waiting_ready: 5 });
    const readyAt: Array<{ ready_at: Date }> = await dataSource.query(
      `SELECT ready_at FROM chat2desk_clients WHERE phone = ANY($1)`,
      [unknown],
    );
    expect(readyAt).toHaveLength(5);
    for (const row of readyAt) expect(row.ready_at.getTime()).toBeGreaterThan(Date.now() + 1000);

    await tickUntilSent(worker, dataSource, campaignId, 25, { timeoutMs: 10_000, intervalMs: 200 });
    const ledger = testApp.sandbox.ledger();
    expect(ledger.violations).toEqual([]);
    expect(await exactlyOnceProblems(dataSource, testApp.sandbox, campaignId)).toEqual([]);
  });

  it('skips recipients whose transport the channel cannot create, with the vendor reason', async () => {
    const { dataSource } = testApp.database;
    // Channel 2 has viber and telegram; the sandbox refuses to create a telegram client.
    const { campaignId } = await seedCampaign(dataSource, {
      phones: phoneRange('7905', 2),
      transport: 'telegram',
      channelId: 2,
    });

    await worker.tick();

    expect(await recipientCounts(dataSource, campaignId)).toEqual({ skipped: 2 });
    const [summary] = await testApp.app.get(CampaignRecipientsStore).problemSummary(campaignId);
    expect(summary.reason).toMatch(/^Chat2Desk refused to create the client: .*[Tt]ransport/);
  });

  it('takes the existing id from "client already exist": ready at once, no lookups', async () => {
    const { dataSource } = testApp.database;
    testApp.sandbox.configure({ clientCreation: 'already-exists' });
    const phones = phoneRange('7906', 3);
    testApp.sandbox.seedClients({ phones, transport: 'whatsapp', channelId: 1 });
    // Scheduled far enough ahead that creating directly is the cheapest strategy.
    const { campaignId } = await seedCampaign(dataSource, {
      phones,
      runState: 'preparing',
      campaignState: 'scheduled',
      occurrenceAt: new Date(Date.now() + 60_000),
    });

    const report = await worker.tick();

    expect(report.sent).toBe(0);
    expect(testApp.sandbox.ledger().requestsByRoute['POST /v1/clients']).toBe(3);
    expect(testApp.sandbox.ledger().requestsByRoute['GET /v1/clients']).toBeUndefined();
    expect(await recipientCounts(dataSource, campaignId)).toEqual({ ready: 3 });
  });

  it('sends a single test message and refuses one to a WhatsApp client still in its delay', async () => {
    const sender = testApp.app.get(TestMessageSender);
    testApp.sandbox.seedClients({ phones: ['79070000001'], transport: 'whatsapp', channelId: 1 });

    const sent = await sender.send('79070000001', 'whatsapp', 1, 'test send');
    expect(sent.messageId).toEqual(expect.any(Number));
    await expect(sender.send('79070000002', 'whatsapp', 1, 'test send')).rejects.toMatchObject({
      code: 'chat2desk_client_not_ready',
    });
    expect(testApp.sandbox.ledger().messagesSent).toBe(1);
  });

  it('syncs the account clients at 200 a page when that costs fewer requests than looking each phone up', async () => {
    const { dataSource } = testApp.database;
    const phones = phoneRange('7908', 25);
    testApp.sandbox.seedClients({ phones, transport: 'whatsapp', channelId: 1 });
    const { campaignId } = await seedCampaign(dataSource, { phones });

    const report = await worker.tick();

    expect(report.sent).toBe(25);
    // One request for the account's size, one page of clients; no lookups per phone, no creations.
    expect(testApp.sandbox.ledger().requestsByRoute['GET /v1/clients']).toBe(2);
    expect(testApp.sandbox.ledger().requestsByRoute['POST /v1/clients']).toBeUndefined();
    expect(await exactlyOnceProblems(dataSource, testApp.sandbox, campaignId)).toEqual([]);
  });

  // Last: the preparer then remembers for a while that creation is off for the account.
  it('records a disabled client creation per recipient and summarizes it, while known clients are sent', async () => {
    const { dataSource } = testApp.database;
    testApp.sandbox.configure({ clientCreation: 'disabled' });
    const known = phoneRange('7903', 3);
    const unknown = phoneRange('7904', 2);
    await seedKnownClients(dataSource, testApp.sandbox, known);
    const { campaignId } = await seedCampaign(dataSource, { phones: [...known, ...unknown] });

    await worker.tick();

    expect(await recipientCounts(dataSource, campaignId)).toEqual({ sent: 3, failed: 2 });
    expect(await testApp.app.get(CampaignRecipientsStore).problemSummary(campaignId)).toEqual([
      { state: 'failed', reason: CREATION_DISABLED_REASON, count: 2 },
    ]);
  });
});
