import { waitFor } from '../../test/support/wait-for';
import { createTestDatabase, TestDatabase } from '../../test/support/test-database';
import { SharedRateLimiter } from './shared-rate-limiter';
import { sqlFrom } from '../database/sql';

/** Most requests whose times fall in any one-second window. */
function busiestSecond(timesMs: number[]): number {
  const sorted = [...timesMs].sort((a, b) => a - b);
  let busiest = 0;
  for (let start = 0, end = 0; end < sorted.length; end += 1) {
    while (sorted[end] - sorted[start] >= 1000) start += 1;
    busiest = Math.max(busiest, end - start + 1);
  }
  return busiest;
}

describe('SharedRateLimiter', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('keeps every one-second window within the limit even when a starved CPU wakes timers late together', async () => {
    const limiter = new SharedRateLimiter(sqlFrom(database.dataSource), 20);
    const grantedAt: number[] = [];
    const callers = Array.from({ length: 30 }, () =>
      limiter.acquire().then(() => grantedAt.push(Date.now())),
    );

    await waitFor(
      () => grantedAt.length,
      (granted) => granted > 0,
      10_000,
      5,
    );
    const blockedUntil = Date.now() + 300;
    while (Date.now() < blockedUntil); // the event loop is starved: every timer due meanwhile fires late
    await Promise.all(callers);

    expect(grantedAt).toHaveLength(30);
    expect(busiestSecond(grantedAt)).toBeLessThanOrEqual(20);
  });
});
