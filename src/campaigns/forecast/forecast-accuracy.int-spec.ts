import { createContactList } from '../../../test/support/campaign.factory';
import { exactlyOnceProblems, phoneRange } from '../../../test/support/dispatch-fixtures';
import { strandedRecipients } from '../../../test/support/stranded-recipients';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { waitFor } from '../../../test/support/wait-for';
import { DispatchWorker } from '../../dispatch/dispatch-worker';
import { CampaignScheduler } from '../scheduling/campaign-scheduler';

/** The parts of campaign answers and errors this test reads. */
interface ApiBody {
  id: string;
  state: string;
  stateReason: string | null;
  details: { forecast: { total: number; lookups: number; creations: number } };
}

/**
 * The account: demo mode (1,000 requests a month), 600 already used, and a list of 400
 * clients the account already has but this app has never seen.
 */
describe('forecast against a nearly spent demo month', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({
      env: {
        CHAT2DESK_RATE_LIMIT_PER_SECOND: '200',
        DISPATCH_POLL_INTERVAL_MS: '50',
        CHAT2DESK_QUOTA_RECHECK_INTERVAL_MS: '1000',
      },
      sandbox: { rateLimitPerSecond: 200, mode: 'demo' },
    });
  });

  afterAll(() => testApp?.close());

  const api = (method: string, path: string, body?: unknown) => testApp.call<ApiBody>(method, path, body);

  it('refuses without allowPartial; with it sends what fits, pauses, resumes once the mode is raised, completes exactly once, within 10 % of the forecast', async () => {
    const { dataSource } = testApp.database;
    const phones = phoneRange('7991', 400);
    testApp.sandbox.seedClients({ phones, transport: 'whatsapp', channelId: 1, readyNow: true });
    testApp.sandbox.state.requestsThisMonth = 600;
    const listId = await createContactList(
      dataSource,
      phones.map((phone) => ({ phone, name: `Client ${phone}` })),
    );
    const created = await api('POST', '/api/campaigns', {
      name: 'Demo month',
      listId,
      text: 'Здравствуйте, {{name}}!',
      transport: 'whatsapp',
      channelId: 1,
    });
    expect(created.status).toBe(201);
    const campaignId = created.body.id;

    const refused = await api('POST', `/api/campaigns/${campaignId}/start`, {});
    expect(refused.status).toBe(409);
    const { forecast } = refused.body.details;
    // Two pages of the account's clients (plus its size) instead of a lookup or creation per phone.
    expect(forecast).toMatchObject({ lookups: 3, creations: 0 });

    const requestsBefore = testApp.sandbox.ledger().requestsTotal;
    const infosBefore = testApp.sandbox.ledger().requestsByRoute['GET /v1/companies/api_info'] ?? 0;
    expect((await api('POST', `/api/campaigns/${campaignId}/start`, { allowPartial: true })).status).toBe(
      200,
    );
    const scheduler = testApp.app.get(CampaignScheduler);
    const worker = testApp.app.get(DispatchWorker);
    const tickUntil = (condition: (campaign: ApiBody) => boolean, timeoutMs: number) =>
      waitFor(
        async () => {
          await scheduler.tick();
          await worker.tick();
          return (await api('GET', `/api/campaigns/${campaignId}`)).body;
        },
        condition,
        timeoutMs,
        100,
      );

    const paused = await tickUntil((campaign) => campaign.state === 'paused', 30_000);
    expect(paused.stateReason).toBe('quota');
    expect(testApp.sandbox.ledger().quotaRejected).toBe(0);
    expect(testApp.sandbox.ledger().messagesSent).toBeGreaterThan(300);

    testApp.sandbox.configure({ mode: 'normal' });
    const raisedAt = Date.now();
    await tickUntil((campaign) => campaign.state === 'completed', 60_000);
    expect(Date.now() - raisedAt).toBeLessThan(60_000);

    expect(testApp.sandbox.ledger().quotaRejected).toBe(0);
    const ledger = testApp.sandbox.ledger();
    const quotaProbes = (ledger.requestsByRoute['GET /v1/companies/api_info'] ?? 0) - infosBefore;
    // What the campaign spent (the quota re-checks while paused are the account's, not the campaign's),
    // against the forecast less the status polls no tracker made here.
    const spent = ledger.requestsTotal - requestsBefore - quotaProbes;
    const forecastWithoutPolls = forecast.total - Math.ceil(400 / 200) * 4;
    expect(Math.abs(spent - forecastWithoutPolls) / forecastWithoutPolls).toBeLessThanOrEqual(0.1);
    expect(await exactlyOnceProblems(dataSource, testApp.sandbox, campaignId)).toEqual([]);
    expect(await strandedRecipients(dataSource)).toEqual([]);
  }, 120_000);
});
