import { createTestApp, TestApp } from '../../test/support/test-app';
import {
  exactlyOnceProblems,
  phoneRange,
  recipientCounts,
  seedCampaign,
} from '../../test/support/dispatch-fixtures';
import { strandedRecipients } from '../../test/support/stranded-recipients';
import { waitFor } from '../../test/support/wait-for';
import { ClientResolver } from '../clients/client-resolver';
import { DispatchWorker } from './dispatch-worker';

/**
 * Several campaigns on one channel whose lists overlap, and WhatsApp creations whose answers get
 * lost: phones, not recipients, are prepared, and a client found after an ambiguous creation waits
 * the new-client delay from the moment we asked.
 */
describe('overlapping campaigns and ambiguous creations', () => {
  let testApp: TestApp;
  let worker: DispatchWorker;

  afterEach(async () => {
    expect(await strandedRecipients(testApp.database.dataSource)).toEqual([]);
    await testApp?.close();
  });

  async function start(delaySeconds: number, requestTimeoutMs: number, ratePerSecond = 200): Promise<void> {
    testApp = await createTestApp({
      env: {
        WHATSAPP_NEW_CLIENT_DELAY_SECONDS: String(delaySeconds),
        WHATSAPP_SAFETY_MARGIN_SECONDS: '1',
        CHAT2DESK_RATE_LIMIT_PER_SECOND: String(ratePerSecond),
        CHAT2DESK_REQUEST_TIMEOUT_MS: String(requestTimeoutMs),
        DISPATCH_RETRY_BASE_DELAY_MS: '50',
        DISPATCH_MAX_ATTEMPTS: '30',
        DISPATCH_LEASE_SECONDS: '10',
      },
      sandbox: { rateLimitPerSecond: ratePerSecond, whatsappNewClientDelaySeconds: delaySeconds, seed: 10 },
    });
    worker = testApp.app.get(DispatchWorker);
  }

  /** Three lists of `size` phones, each sharing half of its phones with the next. */
  async function overlappingCampaigns(prefix: string, size: number) {
    const phones = phoneRange(prefix, size * 2);
    const lists = [phones.slice(0, size), phones.slice(size / 2, size * 1.5), phones.slice(size)];
    const campaigns = [];
    for (const list of lists)
      campaigns.push(await seedCampaign(testApp.database.dataSource, { phones: list }));
    return { phones, lists, campaignIds: campaigns.map((campaign) => campaign.campaignId) };
  }

  async function tickUntilAllSent(campaignIds: string[], timeoutMs: number): Promise<void> {
    const { dataSource } = testApp.database;
    await waitFor(
      async () => {
        await worker.tick();
        return Promise.all(campaignIds.map((id) => recipientCounts(dataSource, id)));
      },
      (counts) => counts.every((count) => Object.keys(count).join() === 'sent'),
      timeoutMs,
      100,
    );
  }

  it('three campaigns sharing half their phones: one creation per distinct phone, each recipient sent once, no early WhatsApp message', async () => {
    await start(2, 2_000);
    const { phones, lists, campaignIds } = await overlappingCampaigns('7971', 40);

    await tickUntilAllSent(campaignIds, 30_000);

    const ledger = testApp.sandbox.ledger();
    expect(ledger.requestsByRoute['POST /v1/clients']).toBe(phones.length);
    expect(ledger.requestsByRoute['GET /v1/clients'] ?? 0).toBeLessThanOrEqual(phones.length);
    expect(ledger.messagesSent).toBe(lists.flat().length);
    expect(ledger.violations).toEqual([]);
    for (const campaignId of campaignIds)
      expect(await exactlyOnceProblems(testApp.database.dataSource, testApp.sandbox, campaignId)).toEqual([]);
  });

  it('a creation intent is recorded when its request leaves, not while it waits for a rate-limit slot', async () => {
    await start(2, 2_000);
    const { dataSource } = testApp.database;
    const phone = '79730000001';
    // Every instance's next slot is 3 s away (as after a 429, or behind a queue of sends).
    await dataSource.query(`UPDATE chat2desk_rate_limit SET next_slot_at = now() + interval '3 seconds'`);
    const askedAt = Date.now();

    const resolution = await testApp.app
      .get(ClientResolver)
      .resolve({ phone, transport: 'whatsapp', channelId: 1 }, 'create');

    expect(resolution.kind).toBe('client');
    const [intent]: Array<{ ms: number }> = await dataSource.query(
      `SELECT extract(epoch FROM started_at) * 1000 AS ms FROM client_creation_intents WHERE phone = $1`,
      [phone],
    );
    const createdAtMs = testApp.sandbox.state.clientsByPhone.get(phone)!.createdAtMs;
    expect(Number(intent.ms)).toBeGreaterThan(askedAt + 2_500);
    // The delay counts from the intent: it precedes the creation by far less than the 1 s margin.
    expect(createdAtMs - Number(intent.ms)).toBeGreaterThanOrEqual(0);
    expect(createdAtMs - Number(intent.ms)).toBeLessThan(1_000);
  });

  it('40 % of creations fail, most of them ambiguously (timeout, reset, 500 after the write): no WhatsApp message before the delay', async () => {
    await start(20, 300);
    const phones = phoneRange('7972', 60);
    const { campaignId } = await seedCampaign(testApp.database.dataSource, { phones });
    testApp.sandbox.configure({
      faults: {
        'POST /v1/clients': {
          error500Before: 0.1,
          error500After: 0.1,
          resetAfter: 0.1,
          slowAfterProbability: 0.1,
          slowAfterMs: 600,
        },
      },
    });

    await tickUntilAllSent([campaignId], 90_000);

    const ledger = testApp.sandbox.ledger();
    // The faults did happen: more creation calls than phones.
    expect(ledger.requestsByRoute['POST /v1/clients']).toBeGreaterThan(phones.length);
    expect(ledger.violations).toEqual([]);
    expect(await exactlyOnceProblems(testApp.database.dataSource, testApp.sandbox, campaignId)).toEqual([]);
  }, 120_000);
});
