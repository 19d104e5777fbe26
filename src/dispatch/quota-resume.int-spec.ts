import { createTestApp, TestApp } from '../../test/support/test-app';
import {
  campaignState,
  exactlyOnceProblems,
  phoneRange,
  recipientCounts,
  seedCampaign,
  seedKnownClients,
} from '../../test/support/dispatch-fixtures';
import { strandedRecipients } from '../../test/support/stranded-recipients';
import { waitFor } from '../../test/support/wait-for';
import { DispatchWorker } from './dispatch-worker';

const RECHECK_MS = 1_000;

/** Chat2Desk's own counter runs out (other integrations used the month); then the plan is raised. */
describe('a campaign paused because Chat2Desk refused for the month', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({
      env: {
        CHAT2DESK_RATE_LIMIT_PER_SECOND: '200',
        CHAT2DESK_QUOTA_RESERVE: '0',
        DISPATCH_POLL_INTERVAL_MS: '50',
        DISPATCH_BATCH_SIZE: '10',
        CHAT2DESK_QUOTA_RECHECK_INTERVAL_MS: String(RECHECK_MS),
      },
      sandbox: { rateLimitPerSecond: 200, mode: 'demo' },
    });
  });

  afterAll(() => testApp?.close());

  it('spends no batch to find out again, re-reads api_info at most once per interval, and resumes by itself once the mode is raised', async () => {
    const { dataSource } = testApp.database;
    const worker = testApp.app.get(DispatchWorker);
    const phones = phoneRange('7951', 30);
    await seedKnownClients(dataSource, testApp.sandbox, phones);
    const { campaignId } = await seedCampaign(dataSource, { phones });
    // Someone else spent the month in Chat2Desk: 5 requests left there, while our count is near 0.
    testApp.sandbox.state.requestsThisMonth = 995;

    await worker.tick();
    expect(await campaignState(dataSource, campaignId)).toEqual({ state: 'paused', stateReason: 'quota' });
    const sends = () => testApp.sandbox.ledger().requestsByRoute['POST /v1/messages'] ?? 0;
    const apiInfos = () => testApp.sandbox.ledger().requestsByRoute['GET /v1/companies/api_info'] ?? 0;
    const sendsAtPause = sends();
    const infosAtPause = apiInfos();

    // Ticks for a bit over two re-check intervals: no send is tried, api_info at most once per interval.
    const started = Date.now();
    await waitFor(
      () => worker.tick(),
      () => Date.now() - started > 2.5 * RECHECK_MS,
      10_000,
      50,
    );
    expect(sends()).toBe(sendsAtPause);
    expect(apiInfos() - infosAtPause).toBeGreaterThanOrEqual(1);
    expect(apiInfos() - infosAtPause).toBeLessThanOrEqual(3);
    expect(await campaignState(dataSource, campaignId)).toEqual({ state: 'paused', stateReason: 'quota' });

    testApp.sandbox.configure({ mode: 'normal' });
    const raisedAt = Date.now();
    await waitFor(
      async () => {
        await worker.tick();
        return recipientCounts(dataSource, campaignId);
      },
      (counts) => counts.sent === 30,
      20_000,
      50,
    );
    // Within one re-check interval (plus a poll), not a month turn.
    expect(Date.now() - raisedAt).toBeLessThan(RECHECK_MS + 5_000);
    expect(await exactlyOnceProblems(dataSource, testApp.sandbox, campaignId)).toEqual([]);
    expect(await strandedRecipients(dataSource)).toEqual([]);
  });
});
