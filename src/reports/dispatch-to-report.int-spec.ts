import { createTestApp, TestApp } from '../../test/support/test-app';
import { normalizeRecipientStatus } from '../delivery/status-normalizer';
import { StatusTracker, TARGET_REQUESTS_PER_MESSAGE } from '../delivery/status-tracker';
import { LIST_MESSAGES_ROUTE, measureTrackingCost } from '../delivery/tracking-cost';
import { DispatchWorker } from '../dispatch/dispatch-worker';
import {
  phoneRange,
  seedCampaign,
  seedKnownClients,
  tickUntilSent,
} from '../../test/support/dispatch-fixtures';
import { recipientStatusAt } from '../sandbox/sandbox-state';
import { CampaignReport } from './campaign-report.service';
import { RecipientStatusStore } from '../recipients/recipient-status.store';

const MESSAGES = 1_000;
const SEED = 5;

/** The whole path on real time: the dispatcher sends through the sandbox, the tracker settles, the report tells. */
describe('from dispatch to report', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({
      env: {
        CHAT2DESK_RATE_LIMIT_PER_SECOND: '1000',
        DISPATCH_POLL_INTERVAL_MS: '50',
        TRACKING_POLL_INTERVAL_MS: '300',
      },
      sandbox: {
        seed: SEED,
        rateLimitPerSecond: 0,
        statuses: { deliveredAfterMs: 200, readAfterMs: 200, failRate: 0.1, readRate: 0.3 },
      },
    });
  });

  afterAll(() => testApp?.close());

  it("dispatched messages reach final states and the report equals the sandbox's truth", async () => {
    const { dataSource } = testApp.database;
    const phones = phoneRange('7981', MESSAGES);
    await seedKnownClients(dataSource, testApp.sandbox, phones);
    const { campaignId } = await seedCampaign(dataSource, { phones });
    const worker = testApp.app.get(DispatchWorker);
    await tickUntilSent(worker, dataSource, campaignId, MESSAGES, { timeoutMs: 60_000, intervalMs: 10 });

    const cost = await measureTrackingCost({
      tracker: testApp.app.get(StatusTracker),
      statuses: testApp.app.get(RecipientStatusStore),
      campaignId,
      listRequests: () => testApp.sandbox.ledger().requestsByRoute[LIST_MESSAGES_ROUTE] ?? 0,
      wait: () => new Promise((resolve) => setTimeout(resolve, 300)),
      maxRounds: 200,
    });
    process.stdout.write(
      `Tracking ${cost.messages} dispatched messages: ${cost.requests} list requests (${cost.requestsPerMessage} per message) in ${cost.rounds} rounds\n`,
    );
    expect(cost).toMatchObject({ stillInFlight: 0, messages: MESSAGES });
    expect(cost.requestsPerMessage).toBeLessThanOrEqual(TARGET_REQUESTS_PER_MESSAGE);

    const truth: Record<string, number> = {};
    const now = Date.now();
    for (const message of testApp.sandbox.state.toClientMessages) {
      const state = normalizeRecipientStatus(
        recipientStatusAt(message, now, SEED, testApp.sandbox.config().statuses),
      );
      truth[state] = (truth[state] ?? 0) + 1;
    }
    const report = (await (
      await fetch(`${testApp.url}/api/campaigns/${campaignId}/report`, { headers: testApp.auth })
    ).json()) as CampaignReport;
    expect(Object.fromEntries(Object.entries(report.counts).filter(([, count]) => count > 0))).toEqual(truth);
    expect(report.failureReasons.reduce((sum, reason) => sum + reason.count, 0)).toBe(truth.failed);
    expect(report.apiRequests.byKind).toMatchObject({ send: MESSAGES, status_poll: cost.requests });
  });
});
