import { createTestApp, TestApp } from '../../test/support/test-app';
import {
  campaignState,
  exactlyOnceProblems,
  phoneRange,
  recipientCounts,
  seedCampaign,
  seedKnownClients,
  tickUntilSent,
} from '../../test/support/dispatch-fixtures';
import { strandedRecipients } from '../../test/support/stranded-recipients';
import { waitFor } from '../../test/support/wait-for';
import { FREQUENCY_CAP_REASON, OPTED_OUT_REASON } from '../common/domain';
import { DispatchWorker } from './dispatch-worker';
import { RecipientQueue } from '../recipients/recipient-queue';

/** Operators act while a campaign runs at 10 requests/s; nothing goes out more than a second after. */
describe('the last check before each send (invariant 10)', () => {
  let testApp: TestApp;
  let worker: DispatchWorker;

  beforeAll(async () => {
    testApp = await createTestApp({
      env: {
        CHAT2DESK_RATE_LIMIT_PER_SECOND: '10',
        DISPATCH_POLL_INTERVAL_MS: '50',
        DISPATCH_BATCH_SIZE: '100',
      },
      sandbox: { rateLimitPerSecond: 10 },
    });
    worker = testApp.app.get(DispatchWorker);
  });

  afterEach(async () => {
    await worker.stop();
    expect(await strandedRecipients(testApp.database.dataSource)).toEqual([]);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const api = async (method: string, path: string, body?: unknown) =>
    (await testApp.call(method, path, body)).status;

  /** `to_client` messages the sandbox accepted for these phones after `sinceMs`. */
  function messagesAfter(phones: string[], sinceMs: number): number {
    const { state } = testApp.sandbox;
    return phones
      .map((phone) => state.clientsByPhone.get(phone))
      .flatMap((client) => (client ? (state.messagesByClient.get(client.id) ?? []) : []))
      .filter((message) => message.type === 'to_client' && message.createdAtMs > sinceMs).length;
  }

  async function runningCampaign(prefix: string, count: number, frequencyCapHours?: number) {
    const phones = phoneRange(prefix, count);
    await seedKnownClients(testApp.database.dataSource, testApp.sandbox, phones);
    const seeded = await seedCampaign(testApp.database.dataSource, { phones });
    if (frequencyCapHours !== undefined) {
      await testApp.database.dataSource.query(`UPDATE campaigns SET frequency_cap_hours = $2 WHERE id = $1`, [
        seeded.campaignId,
        frequencyCapHours,
      ]);
    }
    await worker.housekeeping();
    return { ...seeded, phones };
  }

  /** Progress as Chat2Desk sees it: the database records a batch's results when the batch ends. */
  const deliveredToSandbox = (phones: string[], count: number) =>
    waitFor(
      () => messagesAfter(phones, 0),
      (messages) => messages >= count,
      20_000,
      20,
    );

  const sentAtLeast = (campaignId: string, sent: number) =>
    waitFor(
      () => recipientCounts(testApp.database.dataSource, campaignId),
      (counts) => (counts.sent ?? 0) >= sent,
      20_000,
      20,
    );

  const nothingSending = (campaignId: string) =>
    waitFor(
      () => recipientCounts(testApp.database.dataSource, campaignId),
      (counts) => counts.sending === undefined,
      10_000,
      20,
    );

  /** An observation window, not a synchronisation: a late send would land in it. */
  const observe = () => new Promise((resolve) => setTimeout(resolve, 1_500));

  it('pause: no message more than 1 s after pause answered; resume sends each remaining recipient once', async () => {
    const { campaignId, phones } = await runningCampaign('7961', 40);
    worker.start();
    await deliveredToSandbox(phones, 5);

    expect(await api('POST', `/api/campaigns/${campaignId}/pause`)).toBe(200);
    const answeredAt = Date.now();
    await nothingSending(campaignId);
    await observe();

    expect(messagesAfter(phones, answeredAt + 1_000)).toBe(0);
    const paused = await recipientCounts(testApp.database.dataSource, campaignId);
    expect(paused.ready).toBeGreaterThan(0);
    // Rows given back by the last check were not counted as attempts.
    const [{ max }] = await testApp.database.dataSource.query(
      `SELECT max(attempts)::int AS max FROM campaign_recipients WHERE campaign_id = $1 AND state = 'ready'`,
      [campaignId],
    );
    expect(max).toBe(0);

    expect(await api('POST', `/api/campaigns/${campaignId}/resume`)).toBe(200);
    await sentAtLeast(campaignId, 40);
    await worker.stop();
    expect(await exactlyOnceProblems(testApp.database.dataSource, testApp.sandbox, campaignId)).toEqual([]);
  });

  it('cancel: no message more than 1 s after cancel answered; every unsent recipient skipped', async () => {
    const { campaignId, phones } = await runningCampaign('7962', 40);
    worker.start();
    await deliveredToSandbox(phones, 5);

    expect(await api('POST', `/api/campaigns/${campaignId}/cancel`)).toBe(200);
    const answeredAt = Date.now();
    await nothingSending(campaignId);
    await observe();
    await worker.stop();

    expect(messagesAfter(phones, answeredAt + 1_000)).toBe(0);
    const counts = await recipientCounts(testApp.database.dataSource, campaignId);
    expect(Object.keys(counts).sort()).toEqual(['sent', 'skipped']);
    expect(counts.sent).toBe(messagesAfter(phones, 0));
  });

  it('opt-out mid-run: no message to the phone more than 1 s after its opt-out; it ends skipped, opted out', async () => {
    const { campaignId, phones } = await runningCampaign('7963', 40);
    worker.start();
    await deliveredToSandbox(phones, 5);
    const waiting: Array<{ phone: string }> = await testApp.database.dataSource.query(
      `SELECT phone FROM campaign_recipients WHERE campaign_id = $1 AND state = 'ready' ORDER BY id DESC LIMIT 10`,
      [campaignId],
    );
    const optingOut = waiting.map((row) => row.phone);
    expect(optingOut).toHaveLength(10);

    for (const phone of optingOut) expect(await api('POST', '/api/opt-outs', { phone })).toBe(201);
    const answeredAt = Date.now();
    await sentAtLeast(campaignId, 30);
    await nothingSending(campaignId);
    await worker.stop();

    expect(messagesAfter(optingOut, answeredAt + 1_000)).toBe(0);
    const rows: Array<{ phone: string; state: string; reason: string | null }> =
      await testApp.database.dataSource.query(
        `SELECT phone, state, reason FROM campaign_recipients WHERE campaign_id = $1 AND phone = ANY($2)`,
        [campaignId, optingOut],
      );
    for (const row of rows.filter((row) => row.state !== 'sent'))
      expect(row).toMatchObject({ state: 'skipped', reason: OPTED_OUT_REASON });
    expect(rows.filter((row) => row.state === 'skipped').length).toBeGreaterThan(0);
  });

  it('frequency cap: a contact another campaign reached within the cap is skipped with the reason', async () => {
    const { dataSource } = testApp.database;
    const first = await runningCampaign('7964', 10);
    await tickUntilSent(worker, dataSource, first.campaignId, 10, { timeoutMs: 20_000, intervalMs: 20 });

    const fresh = phoneRange('7965', 5);
    await seedKnownClients(dataSource, testApp.sandbox, fresh);
    const capped = await seedCampaign(dataSource, { phones: [...first.phones.slice(0, 5), ...fresh] });
    await dataSource.query(`UPDATE campaigns SET frequency_cap_hours = 24 WHERE id = $1`, [
      capped.campaignId,
    ]);
    await tickUntilSent(worker, dataSource, capped.campaignId, 5, { timeoutMs: 20_000, intervalMs: 20 });

    const rows: Array<{ phone: string; state: string; reason: string | null }> = await dataSource.query(
      `SELECT phone, state, reason FROM campaign_recipients WHERE campaign_id = $1 ORDER BY phone`,
      [capped.campaignId],
    );
    expect(rows.filter((row) => row.state === 'skipped').map((row) => [row.phone, row.reason])).toEqual(
      first.phones.slice(0, 5).map((phone) => [phone, FREQUENCY_CAP_REASON]),
    );
    expect(rows.filter((row) => row.state === 'sent').map((row) => row.phone)).toEqual(fresh);
    expect(await campaignState(dataSource, capped.campaignId)).toMatchObject({ state: 'running' });
  });

  it('a claim reads only rows of running runs: 30,000 paused ready rows stay out of its plan', async () => {
    const { dataSource } = testApp.database;
    const paused = phoneRange('7966', 30_000);
    await seedKnownClients(dataSource, testApp.sandbox, paused);
    const { campaignId } = await seedCampaign(dataSource, { phones: paused, campaignState: 'paused' });
    await dataSource.query(
      `UPDATE campaign_recipients SET state = 'ready', next_attempt_at = now() - interval '1 minute' WHERE campaign_id = $1`,
      [campaignId],
    );
    await dataSource.query(`ANALYZE campaign_recipients`);
    await runningCampaign('7967', 20);

    const plan = await testApp.app.get(RecipientQueue).claimPlan(new Date(), 100);

    // What the claim reads grows with what it claims (20 rows), not with the paused rows.
    const scans = relationScans(plan, 'campaign_recipients');
    expect(scans.map((scan) => scan.index)).toEqual(scans.map(() => 'campaign_recipients_claimable_idx'));
    expect(scans.reduce((sum, scan) => sum + scan.rowsRead, 0)).toBe(20);
    expect(
      (plan as Array<{ Plan: { 'Shared Hit Blocks': number } }>)[0].Plan['Shared Hit Blocks'],
    ).toBeLessThan(200);
  });
});

/** Scans of `relation` in an executed plan: the index used and the rows read (kept and filtered out). */
function relationScans(plan: unknown, relation: string): Array<{ index: unknown; rowsRead: number }> {
  const scans: Array<{ index: unknown; rowsRead: number }> = [];
  const visit = (node: Record<string, unknown>) => {
    if (node['Relation Name'] === relation) {
      const perLoop = Number(node['Actual Rows'] ?? 0) + Number(node['Rows Removed by Filter'] ?? 0);
      scans.push({ index: node['Index Name'], rowsRead: perLoop * Number(node['Actual Loops'] ?? 1) });
    }
    for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) visit(child);
  };
  for (const root of plan as Array<{ Plan: Record<string, unknown> }>) visit(root.Plan);
  return scans;
}
