import { createTestDatabase, TestDatabase } from '../../test/support/test-database';
import { sqlFrom } from '../database/sql';
import { PreparationQueue } from '../recipients/preparation-queue';
import { RecipientQueue } from '../recipients/recipient-queue';
import {
  cacheClients,
  claimSending,
  phoneRange,
  recipientCounts,
  seedCampaign,
} from '../../test/support/dispatch-fixtures';

const LEASE_MS = 60_000;

describe('RecipientQueue: claims, leases and conditional records on real Postgres', () => {
  let database: TestDatabase;
  let queue: RecipientQueue;

  beforeAll(async () => {
    database = await createTestDatabase();
    queue = new RecipientQueue(sqlFrom(database.dataSource));
  });

  afterAll(async () => {
    await database?.drop();
  });

  beforeEach(async () => {
    await database.dataSource.query(`DELETE FROM campaigns`);
  });

  /** A running campaign whose recipients are ready now, clients cached and ready. */
  async function readyCampaign(
    prefix: string,
    count: number,
    options: { campaignState?: string; runState?: string; clientReadyInMs?: number } = {},
  ) {
    const phones = phoneRange(prefix, count);
    const seeded = await seedCampaign(database.dataSource, {
      phones,
      campaignState: options.campaignState,
      runState: options.runState,
    });
    await cacheClients(
      database.dataSource,
      phones.map((phone, index) => ({ phone, id: Number(prefix) * 1000 + index })),
    );
    if (options.clientReadyInMs) {
      await database.dataSource.query(
        `UPDATE chat2desk_clients SET ready_at = now() + make_interval(secs => $2) WHERE phone = ANY($1)`,
        [phones, options.clientReadyInMs / 1000],
      );
    }
    await database.dataSource.query(
      `UPDATE campaign_recipients r SET state = 'ready', next_attempt_at = now() - interval '1 second', chat2desk_client_id = k.client_id
       FROM chat2desk_clients k WHERE k.phone = r.phone AND r.campaign_id = $1`,
      [seeded.campaignId],
    );
    return seeded;
  }

  it('two claims at the same moment get disjoint rows (SKIP LOCKED), each committed as sending with a fresh attempt', async () => {
    const { campaignId } = await readyCampaign('7941', 50);
    const [first, second] = await Promise.all([
      claimSending(queue, 'a', LEASE_MS, 30),
      claimSending(queue, 'b', LEASE_MS, 30),
    ]);

    const ids = [...first, ...second].map((recipient) => recipient.id);
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);
    expect(new Set([...first, ...second].map((recipient) => recipient.attemptId)).size).toBe(50);
    expect(await recipientCounts(database.dataSource, campaignId)).toEqual({ sending: 50 });
    const [{ owners }] = await database.dataSource.query(
      `SELECT count(DISTINCT lease_owner)::int AS owners FROM campaign_recipients WHERE campaign_id = $1`,
      [campaignId],
    );
    expect(owners).toBe(2);
  });

  it('claims nothing of a paused campaign, of a run not yet running, of a client still in its WhatsApp delay, or before next_attempt_at: only the due ones', async () => {
    await readyCampaign('7942', 3, { campaignState: 'paused' });
    await readyCampaign('7943', 3, { runState: 'preparing', campaignState: 'scheduled' });
    await readyCampaign('7944', 3, { clientReadyInMs: 60_000 });
    const later = await readyCampaign('7945', 3);
    await database.dataSource.query(
      `UPDATE campaign_recipients SET next_attempt_at = now() + interval '1 minute' WHERE campaign_id = $1`,
      [later.campaignId],
    );

    const claimable = await readyCampaign('7949', 2);

    const claimed = await claimSending(queue, 'a', LEASE_MS, 100);
    expect(claimed.map((recipient) => recipient.campaignId)).toEqual([
      claimable.campaignId,
      claimable.campaignId,
    ]);
  });

  it('records only the current attempt: a result of an attempt that was taken over changes nothing', async () => {
    const { campaignId } = await readyCampaign('7946', 1);
    const [stale] = await claimSending(queue, 'a', -1_000, 1);
    const [takenOver] = await queue.claimExpiredSending('b', new Date(), LEASE_MS, 1);
    expect(takenOver.id).toBe(stale.id);
    await queue.record(
      [
        {
          kind: 'retry',
          recipient: takenOver,
          nextAttemptAt: new Date(),
          errorClass: 'X',
          errorMessage: 'x',
        },
      ],
      new Date(),
      5,
    );
    // The old process comes back with its answer after the row moved on: ignored.
    const [again] = await claimSending(queue, 'c', LEASE_MS, 1);
    await queue.record([{ kind: 'sent', recipient: stale, messageId: 999 }], new Date(), 5);

    const [row] = await database.dataSource.query(
      `SELECT state, chat2desk_message_id, attempt_id FROM campaign_recipients WHERE campaign_id = $1`,
      [campaignId],
    );
    expect(row).toEqual({ state: 'sending', chat2desk_message_id: null, attempt_id: again.attemptId });
  });

  it('extends only the leases this process still holds', async () => {
    await readyCampaign('7939', 2);
    const claimed = await claimSending(queue, 'a', -1_000, 2);
    // Its lease lapsed: another process takes one of the two rows over.
    expect(await queue.claimExpiredSending('b', new Date(), LEASE_MS, 1)).toHaveLength(1);

    const held = await queue.extendLeases(
      claimed.map((recipient) => recipient.id),
      'a',
      120_000,
    );
    expect(held).toBe(1);
  });

  it('a retry after the last attempt fails the recipient with the reason; a release does not count the attempt', async () => {
    const { campaignId } = await readyCampaign('7947', 2);
    const [exhausted, refused] = await claimSending(queue, 'a', LEASE_MS, 2);
    const now = new Date();
    await queue.record(
      [
        {
          kind: 'retry',
          recipient: exhausted,
          nextAttemptAt: now,
          errorClass: 'Chat2DeskTransientError',
          errorMessage: 'HTTP 502',
        },
        {
          kind: 'release',
          recipient: refused,
          nextAttemptAt: now,
          errorClass: 'Chat2DeskQuotaExhaustedError',
          errorMessage: 'quota',
        },
      ],
      now,
      1,
    );

    const rows: Array<{ phone: string; state: string; attempts: number; reason: string | null }> =
      await database.dataSource.query(
        `SELECT phone, state, attempts, reason FROM campaign_recipients WHERE campaign_id = $1 ORDER BY id`,
        [campaignId],
      );
    expect(rows.find((row) => row.state === 'failed')).toMatchObject({
      attempts: 1,
      reason: 'gave up after 1 attempts: HTTP 502',
    });
    expect(rows.find((row) => row.state === 'ready')).toMatchObject({ attempts: 0, reason: null });
  });

  it('a row not sent while its campaign was cancelled becomes skipped instead of ready', async () => {
    const { campaignId } = await readyCampaign('7940', 1);
    const [claimed] = await claimSending(queue, 'a', LEASE_MS, 1);
    await database.dataSource.query(`UPDATE campaigns SET state = 'cancelled' WHERE id = $1`, [campaignId]);

    await queue.record(
      [{ kind: 'retry', recipient: claimed, nextAttemptAt: new Date(), errorClass: 'X', errorMessage: 'x' }],
      new Date(),
      5,
    );

    const [row] = await database.dataSource.query(
      `SELECT state, reason FROM campaign_recipients WHERE campaign_id = $1`,
      [campaignId],
    );
    expect(row).toEqual({ state: 'skipped', reason: 'campaign cancelled' });
  });

  it('promotes waiting_ready recipients once their client ready_at has passed on the database clock', async () => {
    const { campaignId } = await readyCampaign('7948', 2);
    await database.dataSource.query(
      `UPDATE campaign_recipients SET state = 'waiting_ready' WHERE campaign_id = $1`,
      [campaignId],
    );
    await database.dataSource.query(
      `UPDATE chat2desk_clients SET ready_at = now() + interval '1 hour' WHERE phone LIKE '7948%2'`,
    );

    await new PreparationQueue(sqlFrom(database.dataSource)).promoteReadyClients(new Date());

    expect(await recipientCounts(database.dataSource, campaignId)).toEqual({ ready: 1, waiting_ready: 1 });
  });

  it('makes ready rows without next_attempt_at (reset by retry-failed) claimable', async () => {
    const { campaignId } = await readyCampaign('7938', 1);
    await database.dataSource.query(
      `UPDATE campaign_recipients SET next_attempt_at = NULL WHERE campaign_id = $1`,
      [campaignId],
    );
    expect(await claimSending(queue, 'a', LEASE_MS, 10)).toEqual([]);

    await queue.promoteDue(new Date());

    expect(await claimSending(queue, 'a', LEASE_MS, 10)).toHaveLength(1);
  });
});
