import { createTestApp, TestApp } from '../../test/support/test-app';
import { CampaignScheduler } from '../campaigns/scheduling/campaign-scheduler';
import { createCampaignRow, createContactList } from '../../test/support/campaign.factory';
import { DispatchWorker } from './dispatch-worker';
import { campaignState, exactlyOnceProblems, phoneRange } from '../../test/support/dispatch-fixtures';
import { strandedRecipients } from '../../test/support/stranded-recipients';
import { waitFor } from '../../test/support/wait-for';

const WHATSAPP_DELAY_SECONDS = 2;

describe('a scheduled WhatsApp campaign from list to completed: scheduler, preparer, dispatcher', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({
      env: {
        WHATSAPP_NEW_CLIENT_DELAY_SECONDS: String(WHATSAPP_DELAY_SECONDS),
        DISPATCH_PREPARATION_MARGIN_SECONDS: '1',
        CHAT2DESK_RATE_LIMIT_PER_SECOND: '100',
        DISPATCH_POLL_INTERVAL_MS: '50',
      },
      sandbox: { whatsappNewClientDelaySeconds: WHATSAPP_DELAY_SECONDS, rateLimitPerSecond: 100 },
    });
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('prepares new clients before the scheduled time, sends once to everybody without breaking the delay, and completes', async () => {
    const { dataSource } = testApp.database;
    const known = phoneRange('7981', 6);
    const fresh = phoneRange('7982', 4);
    testApp.sandbox.seedClients({ phones: known, transport: 'whatsapp', channelId: 1 });
    const listId = await createContactList(
      dataSource,
      [...known, ...fresh].map((phone, index) => ({ phone, name: `Client ${index}` })),
    );
    const scheduledAt = new Date(Date.now() + 4_000);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      state: 'scheduled',
      scheduledAt,
      transport: 'whatsapp',
      channelId: 1,
      text: 'Hi {{name}}, your order is ready',
    });
    const scheduler = testApp.app.get(CampaignScheduler);
    const worker = testApp.app.get(DispatchWorker);

    await waitFor(
      async () => {
        await scheduler.tick();
        await worker.tick();
        return campaignState(dataSource, campaignId);
      },
      (campaign) => campaign.state === 'completed',
      30_000,
      100,
    );

    const [{ first }] = await dataSource.query(
      `SELECT min(sent_at) AS first FROM campaign_recipients WHERE campaign_id = $1`,
      [campaignId],
    );
    expect(new Date(first).getTime()).toBeGreaterThanOrEqual(scheduledAt.getTime());
    expect(testApp.sandbox.ledger().violations).toEqual([]);
    expect(await exactlyOnceProblems(dataSource, testApp.sandbox, campaignId)).toEqual([]);
    expect(await strandedRecipients(dataSource)).toEqual([]);
  });
});
