import { RequestLedger } from '../chat2desk/request-ledger';
import { ManualClock } from '../common/clock/clock';
import { recipientStatusAt } from '../sandbox/sandbox-state';
import { createTestApp, TestApp } from '../../test/support/test-app';
import { StatusTracker, TARGET_REQUESTS_PER_MESSAGE } from './status-tracker';
import { normalizeRecipientStatus } from './status-normalizer';
import { insertCampaign, insertRecipients } from '../../test/support/delivery-fixtures';
import { sendThroughSandbox } from '../../test/support/sandbox-sends';
import { LIST_MESSAGES_ROUTE, measureTrackingCost } from './tracking-cost';
import { RecipientStatusStore } from '../recipients/recipient-status.store';

const POLL_INTERVAL_MS = 15_000;
const SEND_RATE_PER_SECOND = 20;

describe('StatusTracker against the sandbox', () => {
  const clock = new ManualClock(new Date());
  let testApp: TestApp;
  let tracker: StatusTracker;

  beforeAll(async () => {
    testApp = await createTestApp({
      clock,
      // Statuses settle 3 s after sending and never change again (read at the same moment as
      // delivered), so the sandbox's final truth is well defined whenever we look.
      sandbox: {
        now: () => clock.nowMs(),
        seed: 7,
        rateLimitPerSecond: 0,
        statuses: { deliveredAfterMs: 3_000, readAfterMs: 3_000, failRate: 0.1, readRate: 0.5 },
      },
      env: {
        CHAT2DESK_RATE_LIMIT_PER_SECOND: '1000',
        TRACKING_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
        TRACKING_DEADLINE_HOURS: '1',
      },
    });
    tracker = testApp.app.get(StatusTracker);
  });

  afterAll(() => testApp?.close());

  it('settles every message in batches, matches the sandbox truth and costs at most 0.02 requests per message', async () => {
    const { dataSource } = testApp.database;
    const whatsapp = await insertCampaign(dataSource, { channelId: 1, transport: 'whatsapp' });
    const viber = await insertCampaign(dataSource, { channelId: 2, transport: 'viber' });
    await sendThroughSandbox(
      testApp.sandbox,
      dataSource,
      clock,
      [
        { fixture: whatsapp, channelId: 1, transport: 'whatsapp', phonePrefix: '7911', count: 2_000 },
        { fixture: viber, channelId: 2, transport: 'viber', phonePrefix: '7922', count: 1_000 },
      ],
      // A tracking round every 5 s while sending, as the cron would run.
      {
        perSecond: SEND_RATE_PER_SECOND,
        afterSecond: (elapsedMs) => (elapsedMs % 5_000 === 0 ? tracker.pollOnce() : undefined),
      },
    );
    const cost = await measureTrackingCost({
      tracker,
      statuses: testApp.app.get(RecipientStatusStore),
      listRequests: () => testApp.sandbox.ledger().requestsByRoute[LIST_MESSAGES_ROUTE] ?? 0,
      wait: () => clock.advance(5_000),
    });

    expect(cost.stillInFlight).toBe(0);
    expect(cost.messages).toBe(3_000);
    expect(cost.requests).toBeGreaterThan(0);
    expect(cost.requestsPerMessage).toBeLessThanOrEqual(TARGET_REQUESTS_PER_MESSAGE);
    // Never one GET per message.
    expect(testApp.sandbox.ledger().requestsByRoute['GET /v1/messages/:id'] ?? 0).toBe(0);

    const truth = new Map<string, number>();
    const sandbox = testApp.sandbox;
    for (const message of sandbox.state.toClientMessages) {
      const state = normalizeRecipientStatus(
        recipientStatusAt(message, clock.nowMs(), 7, sandbox.config().statuses),
      );
      truth.set(state, (truth.get(state) ?? 0) + 1);
    }
    const ours: Array<{ state: string; count: number }> = await dataSource.query(
      `SELECT state, count(*)::int AS count FROM campaign_recipients GROUP BY state`,
    );
    expect(Object.fromEntries(ours.map((row) => [row.state, row.count]))).toEqual(Object.fromEntries(truth));
    expect(truth.get('failed')).toBeGreaterThan(0);
    expect(truth.get('read')).toBeGreaterThan(0);

    const [events] = await dataSource.query(
      `SELECT count(*)::int AS count, count(DISTINCT recipient_id)::int AS recipients FROM recipient_status_events WHERE source = 'poll'`,
    );
    expect(events).toEqual({ count: 3_000, recipients: 3_000 });
    const [failedReason] = await dataSource.query(
      `SELECT count(*)::int AS count FROM campaign_recipients WHERE state = 'failed' AND reason LIKE 'Chat2Desk: %' AND failed_at IS NOT NULL`,
    );
    expect(failedReason.count).toBe(truth.get('failed'));

    const byKind = await testApp.app.get(RequestLedger).countsByKind(whatsapp.campaignId);
    expect(byKind.status_poll).toBeGreaterThan(0);
  });

  it('marks messages without a final status as unknown at the deadline, keeping the raw value', async () => {
    const { dataSource } = testApp.database;
    const campaign = await insertCampaign(dataSource, { channelId: 1 });
    const [recipientId] = await insertRecipients(dataSource, campaign, [
      {
        phone: '79990000001',
        messageId: 9_999_999,
        rawStatus: 'on_moderation',
        sentAt: new Date(clock.nowMs() - 61 * 60_000),
      },
    ]);
    const summary = await tracker.pollOnce();
    expect(summary.expired).toBe(1);
    const [row] = await dataSource.query(
      `SELECT state, raw_status, reason FROM campaign_recipients WHERE id = $1`,
      [recipientId],
    );
    expect(row).toEqual({
      state: 'unknown',
      raw_status: 'on_moderation',
      reason: 'no final delivery status within 1 h (last status: on_moderation)',
    });
    const [event] = await dataSource.query(
      `SELECT from_state, to_state, source FROM recipient_status_events WHERE recipient_id = $1`,
      [recipientId],
    );
    expect(event).toEqual({ from_state: 'sent', to_state: 'unknown', source: 'deadline' });
  });
});
