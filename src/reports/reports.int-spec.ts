import { parse } from 'csv-parse/sync';
import { ManualClock } from '../common/clock/clock';
import { OptOutService } from '../contacts/opt-out.service';
import { normalizeRecipientStatus } from '../delivery/status-normalizer';
import { StatusTracker } from '../delivery/status-tracker';
import { insertCampaign, insertRecipients } from '../../test/support/delivery-fixtures';
import { sendThroughSandbox } from '../../test/support/sandbox-sends';
import { recipientStatusAt } from '../sandbox/sandbox-state';
import { createTestApp, TestApp } from '../../test/support/test-app';
import { CampaignReport } from './campaign-report.service';
import { QuotaOverview } from './quota-overview.service';

const SEED = 11;

/** Today, on the hour: minute buckets and exported times are computed from it, never a fixed date. */
const START = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
const minuteOf = (offsetMinutes: number) => new Date(START.getTime() + offsetMinutes * 60_000).toISOString();

describe('reports over HTTP', () => {
  const clock = new ManualClock(START);
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({
      clock,
      sandbox: {
        now: () => clock.nowMs(),
        seed: SEED,
        rateLimitPerSecond: 0,
        statuses: { deliveredAfterMs: 2_000, readAfterMs: 2_000, failRate: 0.2, readRate: 0.4 },
      },
      env: { CHAT2DESK_RATE_LIMIT_PER_SECOND: '1000', TRACKING_POLL_INTERVAL_MS: '10000' },
    });
  });

  afterAll(() => testApp?.close());

  async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${testApp.url}${path}`, { headers: testApp.auth });
    return { status: response.status, body: (await response.json()) as T };
  }

  it("reports the sandbox's truth: counts, rates, failure reasons, timeline and the requests spent", async () => {
    const { dataSource } = testApp.database;
    const startedAt = clock.now();
    const campaign = await insertCampaign(dataSource, { channelId: 1, forecastTotal: 520, startedAt });
    const tracker = testApp.app.get(StatusTracker);
    await sendThroughSandbox(
      testApp.sandbox,
      dataSource,
      clock,
      [{ fixture: campaign, channelId: 1, transport: 'whatsapp', phonePrefix: '7933', count: 500 }],
      {
        perSecond: 5,
        afterSecond: (elapsedMs) => (elapsedMs % 10_000 === 0 ? tracker.pollOnce() : undefined),
      },
    );
    for (let round = 0; round < 10; round += 1) {
      clock.advance(30_000);
      await tracker.pollOnce();
    }

    const truth: Record<string, number> = {};
    for (const message of testApp.sandbox.state.toClientMessages) {
      const state = normalizeRecipientStatus(
        recipientStatusAt(message, clock.nowMs(), SEED, testApp.sandbox.config().statuses),
      );
      truth[state] = (truth[state] ?? 0) + 1;
    }
    const { status, body: report } = await getJson<CampaignReport>(
      `/api/campaigns/${campaign.campaignId}/report`,
    );
    expect(status).toBe(200);
    expect(report.recipients).toBe(500);
    expect(Object.fromEntries(Object.entries(report.counts).filter(([, count]) => count > 0))).toEqual(truth);
    expect(report.deliveryRate).toBeCloseTo((truth.delivered + truth.read) / 500, 4);
    expect(report.readRate).toBeCloseTo(truth.read / 500, 4);

    // The sandbox fails half of its failures as "failed", half as "not delivered".
    const reasons = Object.fromEntries(report.failureReasons.map((reason) => [reason.reason, reason.count]));
    expect(Object.keys(reasons).sort()).toEqual(['Chat2Desk: failed', 'Chat2Desk: not delivered']);
    expect(reasons['Chat2Desk: failed'] + reasons['Chat2Desk: not delivered']).toBe(truth.failed);

    // 500 messages at 5/s = 100 s of sending: 2 minutes of sends, every message accounted for once.
    expect(report.timeline.map((bucket) => bucket.minute)).toEqual(
      expect.arrayContaining([minuteOf(0), minuteOf(1)]),
    );
    const sum = (key: 'sent' | 'delivered' | 'failed') =>
      report.timeline.reduce((total, bucket) => total + bucket[key], 0);
    expect(sum('sent')).toBe(500);
    expect(sum('delivered')).toBe(truth.delivered + truth.read);
    expect(sum('failed')).toBe(truth.failed);

    const polls = testApp.sandbox.ledger().requestsByRoute['GET /v1/messages'];
    expect(report.apiRequests.byKind).toEqual({ status_poll: polls });
    expect(report.quota).toEqual({ used: polls, forecast: 520 });
    expect(report.startedAt).toBe(startedAt.toISOString());
    expect(report.durationSeconds).toBe(Math.round((clock.nowMs() - startedAt.getTime()) / 1000));

    const failed = await getJson<{
      items: Array<{ state: string; reason: string; rawStatus: string }>;
      total: number;
    }>(
      `/api/campaigns/${campaign.campaignId}/recipients?state=failed&reason=${encodeURIComponent('Chat2Desk: not delivered')}&limit=500`,
    );
    expect(failed.status).toBe(200);
    expect(failed.body.total).toBe(reasons['Chat2Desk: not delivered']);
    expect(failed.body.items).toHaveLength(failed.body.total);
    expect(new Set(failed.body.items.map((item) => `${item.state}|${item.rawStatus}`))).toEqual(
      new Set(['failed|not delivered']),
    );
  });

  it('counts the recipients who opted out after the campaign wrote to them', async () => {
    const { dataSource } = testApp.database;
    const campaign = await insertCampaign(dataSource);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await insertRecipients(dataSource, campaign, [
      { phone: '79660000001', state: 'delivered', sentAt: anHourAgo },
      { phone: '79660000002', state: 'delivered', sentAt: anHourAgo },
      { phone: '79660000003', state: 'skipped', reason: 'opted out' },
    ]);
    // Opted out before this campaign (not its doing), after it, and never written to.
    await dataSource.query(
      `INSERT INTO opt_outs (phone, source, created_at) VALUES ('79660000002', 'manual', now() - interval '2 hours')`,
    );
    await testApp.app.get(OptOutService).optOut('79660000001', 'webhook', 'stop word "STOP"');
    await testApp.app.get(OptOutService).optOut('79660000003', 'webhook', 'stop word "STOP"');
    const { body } = await getJson<CampaignReport>(`/api/campaigns/${campaign.campaignId}/report`);
    expect(body.optedOutAfterSend).toBe(1);
    expect(body.failureReasons).toEqual([{ state: 'skipped', reason: 'opted out', count: 1 }]);
  });

  it('pages recipients in a stable order and validates the query', async () => {
    const { dataSource } = testApp.database;
    const campaign = await insertCampaign(dataSource);
    const ids = await insertRecipients(
      dataSource,
      campaign,
      Array.from({ length: 25 }, (_, index) => ({
        phone: `7944000${String(index).padStart(4, '0')}`,
        state: 'pending' as const,
      })),
    );
    const page = await getJson<{
      items: Array<{ id: string }>;
      total: number;
      limit: number;
      offset: number;
    }>(`/api/campaigns/${campaign.campaignId}/recipients?limit=10&offset=10`);
    expect(page.body).toMatchObject({ total: 25, limit: 10, offset: 10 });
    expect(page.body.items.map((item) => item.id)).toEqual(ids.slice(10, 20));

    expect((await getJson(`/api/campaigns/${campaign.campaignId}/recipients?limit=501`)).status).toBe(400);
    expect((await getJson(`/api/campaigns/${campaign.campaignId}/recipients?state=lost`)).status).toBe(400);
    expect((await getJson(`/api/campaigns/00000000-0000-0000-0000-000000000000/report`)).status).toBe(404);
    expect((await getJson(`/api/campaigns/not-a-uuid/recipients`)).status).toBe(404);
    expect((await fetch(`${testApp.url}/api/campaigns/${campaign.campaignId}/report`)).status).toBe(401);
    expect((await fetch(`${testApp.url}/api/campaigns/${campaign.campaignId}/recipients.csv`)).status).toBe(
      401,
    );
  });

  it('exports CSV with a BOM, Cyrillic intact and formula-like values neutralized', async () => {
    const { dataSource } = testApp.database;
    const campaign = await insertCampaign(dataSource);
    const sentAt = new Date(START.getTime() + 123);
    const sent = sentAt.toISOString();
    await insertRecipients(dataSource, campaign, [
      {
        phone: '79550000001',
        name: '=HYPERLINK("http://evil.example","Нажми")',
        state: 'delivered',
        rawStatus: 'delivered',
        sentAt,
        deliveredAt: sentAt,
      },
      {
        phone: '79550000002',
        name: '+79001234567',
        state: 'failed',
        rawStatus: 'not delivered',
        reason: 'Chat2Desk: not delivered',
        sentAt,
        failedAt: sentAt,
      },
      { phone: '79550000003', name: '-1', state: 'skipped', reason: 'opted out' },
      {
        phone: '79550000004',
        name: '@x',
        state: 'read',
        rawStatus: 'read',
        sentAt,
        deliveredAt: sentAt,
        readAt: sentAt,
      },
      { phone: '79550000005', name: 'Иван Петров, "ВИП"', state: 'sent', rawStatus: 'sent', sentAt },
    ]);
    const response = await fetch(`${testApp.url}/api/campaigns/${campaign.campaignId}/recipients.csv`, {
      headers: testApp.auth,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('attachment;');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows: string[][] = parse(bytes.subarray(3).toString('utf8'));
    expect(rows).toEqual([
      ['phone', 'name', 'state', 'raw_status', 'reason', 'sent_at', 'delivered_at', 'read_at', 'failed_at'],
      [
        '79550000001',
        `'=HYPERLINK("http://evil.example","Нажми")`,
        'delivered',
        'delivered',
        '',
        sent,
        sent,
        '',
        '',
      ],
      [
        '79550000002',
        "'+79001234567",
        'failed',
        'not delivered',
        'Chat2Desk: not delivered',
        sent,
        '',
        '',
        sent,
      ],
      ['79550000003', "'-1", 'skipped', '', 'opted out', '', '', '', ''],
      ['79550000004', "'@x", 'read', 'read', '', sent, sent, sent, ''],
      ['79550000005', 'Иван Петров, "ВИП"', 'sent', 'sent', '', sent, '', '', ''],
    ]);
  });

  it('shows the account: mode, limit, usage on both sides, what scheduled campaigns reserve, the rate limit', async () => {
    const { dataSource } = testApp.database;
    await dataSource.query(`UPDATE campaigns SET state = 'completed'`);
    await insertCampaign(dataSource, { state: 'scheduled', forecastTotal: 1_200 });
    await insertCampaign(dataSource, { state: 'draft', forecastTotal: 9_999 });
    const { status, body } = await getJson<QuotaOverview>('/api/quota?refresh=true');
    expect(status).toBe(200);
    const sandboxTotal = testApp.sandbox.ledger().requestsTotal;
    expect(body).toMatchObject({
      mode: 'normal',
      limit: 50_000,
      reservedByCampaigns: 1_200,
      reserve: 50,
      rateLimitPerSecond: 1000,
    });
    // The service counts the api_info that reports it; every request was also recorded locally.
    expect(body.used.service).toBe(sandboxTotal);
    expect(body.used.ledger).toBe(sandboxTotal);
    expect(body.used.local).toBeGreaterThanOrEqual(sandboxTotal);
    expect(body.available).toBe(50_000 - 50 - body.used.local - 1_200);
  });
});
