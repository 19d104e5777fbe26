import { ManualClock } from '../common/clock/clock';
import { createTestDatabase, TestDatabase } from '../../test/support/test-database';
import { RunningSandbox, startSandboxServer } from '../sandbox/sandbox-server';
import { Chat2DeskQuotaExhaustedError } from './chat2desk.errors';
import { Sql, sqlFrom } from '../database/sql';
import { stackPool } from '../../test/support/chat2desk-stack';

/** Quota reservation, the shared rate limiter and 429 handling, on a real database and sandbox. */
describe('RequestGate', () => {
  let database: TestDatabase;
  let sandbox: RunningSandbox;
  const stacks = stackPool(() => ({ sandbox, dataSource: database.dataSource }));
  const newStack = stacks.open;

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startSandboxServer({ rateLimitPerSecond: 0 });
  });
  beforeEach(async () => {
    sandbox.reset();
    sandbox.configure({ rateLimitPerSecond: 0, mode: 'normal' });
    await database.dataSource.query('DELETE FROM chat2desk_quota_month');
    await database.dataSource.query('DELETE FROM chat2desk_request_ledger');
    await database.dataSource.query(`UPDATE chat2desk_rate_limit SET next_slot_at = now()`);
  });
  afterEach(() => stacks.closeAll());
  afterAll(async () => {
    await sandbox.close();
    await database.drop();
  });

  it('refuses at the monthly limit without calling the API', async () => {
    const stack = newStack({ config: { monthlyQuota: 5 } });
    for (let index = 0; index < 5; index += 1) await stack.client.templates();
    const error = await stack.client.templates().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Chat2DeskQuotaExhaustedError);
    expect((error as Chat2DeskQuotaExhaustedError).refusedLocally).toBe(true);
    expect(sandbox.ledger().requestsTotal).toBe(5);
    expect(await stack.quota.status()).toMatchObject({ limit: 5, usedLocal: 5, remaining: 0 });
  });

  it('keeps the reserve from campaign traffic, across two instances', async () => {
    const first = newStack({ config: { monthlyQuota: 10, quotaReserve: 4, rateLimitPerSecond: 400 } });
    const second = newStack({ config: { monthlyQuota: 10, quotaReserve: 4, rateLimitPerSecond: 400 } });
    const campaign = { campaignId: 'c-1' };
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? first : second).client.templates(campaign)),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(6);
    expect(sandbox.ledger().requestsTotal).toBe(6);
    // People (no campaign) may still use the reserve.
    await first.client.templates();
    expect((await first.quota.status()).usedLocal).toBe(7);
  });

  it('learns the limit from api_info, keeps the local count at least the reported one, and starts a new row each month', async () => {
    sandbox.configure({ mode: 'demo' });
    const clock = new ManualClock(new Date('2026-03-31T23:59:00Z'));
    const stack = newStack({ config: { monthlyQuota: undefined, quotaReserve: 50 }, clock });
    await stack.client.templates();
    // The first call asked api_info for the mode; both requests were counted.
    expect(await stack.quota.status()).toMatchObject({
      month: '2026-03',
      mode: 'demo',
      limit: 1000,
      usedLocal: 2,
      reserve: 50,
      remaining: 948,
    });
    sandbox.state.requestsThisMonth = 700;
    await stack.quota.applyApiInfo(await stack.client.apiInfo());
    expect(await stack.quota.status()).toMatchObject({ usedLocal: 701, usedReported: 701 });
    // Newer accounts omit the counter: the local count goes on alone.
    sandbox.configure({ omitRequestsThisMonth: true });
    expect(await stack.quota.refresh()).toMatchObject({ usedLocal: 702, usedReported: 701 });
    sandbox.configure({ omitRequestsThisMonth: false });
    clock.advance(60_000);
    await stack.client.templates();
    expect(await stack.quota.status()).toMatchObject({
      month: '2026-04',
      mode: 'demo',
      usedLocal: 1,
      limit: 1000,
    });
  });

  it('two instances together keep the sandbox busiest second within the limit, and 0 requests are refused', async () => {
    const limit = 25;
    sandbox.configure({ rateLimitPerSecond: limit });
    const instances = [
      newStack({ config: { rateLimitPerSecond: limit } }),
      newStack({ config: { rateLimitPerSecond: limit } }),
    ];
    const startedMs = Date.now();
    // 8 concurrent callers per instance, 40 requests each instance.
    await Promise.all(
      instances.flatMap((instance) =>
        Array.from({ length: 8 }, async () => {
          for (let index = 0; index < 5; index += 1) await instance.client.templates();
        }),
      ),
    );
    const seconds = (Date.now() - startedMs) / 1000;
    const ledger = sandbox.ledger();
    expect(ledger.requestsTotal).toBe(80);
    expect(ledger.rateLimited).toBe(0);
    expect(ledger.busiestSecond).toBeLessThanOrEqual(limit);
    // Most of the limit is used: 80 requests at ≤ 25/s take a bit over 3 s.
    expect(80 / seconds).toBeGreaterThan(limit * 0.85);
  });

  it('a 429 pushes the shared slot back and the request is retried transparently', async () => {
    sandbox.configure({ rateLimitPerSecond: 3 });
    // The client believes the account allows far more than it does.
    const stack = newStack({
      config: { rateLimitPerSecond: 500 },
      gate: { rateLimitRetries: 3, rateLimitBackoffMs: 300 },
    });
    const answers = await Promise.all(Array.from({ length: 6 }, () => stack.client.templates()));
    expect(answers).toHaveLength(6);
    const ledger = sandbox.ledger();
    expect(ledger.rateLimited).toBeGreaterThan(0);
    const rows = await stack.ledger.rows();
    const count = (outcome: string) =>
      rows.filter((row) => row.outcome === outcome).reduce((sum, row) => sum + row.count, 0);
    expect(count('success')).toBe(6);
    expect(count('rate_limited')).toBe(ledger.rateLimited);
  });

  it('at a high rate, spends far less than one database round trip per request', async () => {
    let statements = 0;
    const countingSql: Sql = (text, params) => {
      statements += 1;
      return sqlFrom(database.dataSource)(text, params);
    };
    const stack = newStack({ config: { rateLimitPerSecond: 10_000 }, sql: countingSql });
    const [{ id }] = sandbox.seedClients({ phones: ['79000000001'] });
    const total = 3_000;
    let next = 0;
    const startedMs = Date.now();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < total) {
          next += 1;
          await stack.client.sendMessage({ clientId: id, text: `m${next}` }, { campaignId: 'bench' });
        }
      }),
    );
    const perSecond = total / ((Date.now() - startedMs) / 1000);
    await stack.ledger.flush();
    // Throughput depends on the machine's load (the sandbox shares this process); round trips do not.
    console.log(
      `gate throughput: ${Math.round(perSecond)} sends/s, ${statements} SQL statements for ${total} requests`,
    );
    expect(sandbox.ledger().messagesSent).toBe(total);
    expect(statements).toBeLessThan(total / 4);
  });
});
