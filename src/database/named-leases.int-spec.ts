import { createTestDatabase, TestDatabase } from '../../test/support/test-database';
import { waitFor } from '../../test/support/wait-for';
import { SystemClock } from '../common/clock/clock';
import { Database } from './database';
import { NamedLeases } from './named-leases';

describe('NamedLeases', () => {
  let database: TestDatabase;
  let leases: NamedLeases;

  beforeAll(async () => {
    database = await createTestDatabase();
    leases = new NamedLeases(new Database(database.dataSource), new SystemClock());
  });

  afterAll(() => database.drop());

  it('lets one holder at a time run, and frees the lease when the work ends', async () => {
    let releaseFirst!: () => void;
    const first = leases.whileHeld(
      'job',
      60_000,
      () => new Promise<string>((resolve) => (releaseFirst = () => resolve('first'))),
    );
    await waitFor(
      () => database.dataSource.query(`SELECT 1 FROM leases WHERE name = 'job'`),
      (rows: unknown[]) => rows.length > 0,
      5_000,
      10,
    );

    expect(await leases.whileHeld('job', 60_000, async () => 'second')).toBeNull();
    releaseFirst();
    expect(await first).toBe('first');
    expect(await leases.whileHeld('job', 60_000, async () => 'third')).toBe('third');
  });

  it('takes over a lease whose holder died without giving it back', async () => {
    await database.dataSource.query(
      `INSERT INTO leases (name, owner, expires_at) VALUES ('orphaned', 'dead-process', now() - interval '1 second')`,
    );
    expect(await leases.whileHeld('orphaned', 60_000, async () => 'taken over')).toBe('taken over');
  });

  it('gives the lease back when the work fails', async () => {
    await expect(
      leases.whileHeld('failing', 60_000, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(await database.dataSource.query(`SELECT 1 FROM leases WHERE name = 'failing'`)).toEqual([]);
  });
});
