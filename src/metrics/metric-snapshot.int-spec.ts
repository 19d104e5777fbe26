import { ManualClock } from '../common/clock/clock';
import { metricsNode, MetricsNode, seriesOf } from '../../test/support/metrics-node';
import { createTestDatabase, TestDatabase } from '../../test/support/test-database';
import { waitFor } from '../../test/support/wait-for';
import { seedCampaign } from '../../test/support/dispatch-fixtures';
import { SNAPSHOT_LEASE } from './metric-snapshot.job';

describe('MetricSnapshotJob: the database-wide gauges, computed by one instance at a time', () => {
  let database: TestDatabase;
  const clock = new ManualClock(new Date());
  let first: MetricsNode;
  let second: MetricsNode;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedCampaign(database.dataSource, { phones: ['79110000001', '79110000002'] });
    first = metricsNode(database, { clock, monthlyQuota: 1000 });
    second = metricsNode(database, { clock, monthlyQuota: 1000 });
  });
  beforeEach(() => database.dataSource.query(`DELETE FROM metric_snapshots`));
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => database.drop());

  const computedAt = async (): Promise<Date[]> =>
    (
      await database.dataSource.query<Array<{ computed_at: Date }>>(
        `SELECT computed_at FROM metric_snapshots ORDER BY name`,
      )
    ).map((row) => row.computed_at);

  it('lets one of two instances compute while the other finds it busy, then fresh', async () => {
    let release!: () => void;
    const counted = new Promise<void>((resolve) => (release = resolve));
    const countsByState = first.recipients.countsByState.bind(first.recipients);
    const firstCounts = jest
      .spyOn(first.recipients, 'countsByState')
      .mockImplementation(async () => counted.then(() => countsByState()));
    const secondCounts = jest.spyOn(second.recipients, 'countsByState');

    const computing = first.job.refreshIfDue();
    await waitFor(
      () => database.dataSource.query(`SELECT 1 FROM leases WHERE name = $1`, [SNAPSHOT_LEASE]),
      (rows: unknown[]) => rows.length > 0,
      5_000,
      10,
    );
    expect(await second.job.refreshIfDue()).toBe('busy');
    release();
    expect(await computing).toBe('computed');
    expect(await second.job.refreshIfDue()).toBe('fresh');

    expect(firstCounts).toHaveBeenCalledTimes(1);
    expect(secondCounts).not.toHaveBeenCalled();
    expect(await seriesOf(second.metrics, 'recipients_by_state')).toEqual([
      'recipients_by_state{state="pending"} 2',
    ]);
  });

  it('counts once when two instances start a round together', async () => {
    const counts = [
      jest.spyOn(first.recipients, 'countsByState'),
      jest.spyOn(second.recipients, 'countsByState'),
    ];
    const rounds = await Promise.all([first.job.refreshIfDue(), second.job.refreshIfDue()]);
    expect(rounds.filter((round) => round === 'computed')).toHaveLength(1);
    expect(rounds.filter((round) => round !== 'computed')).toEqual([expect.stringMatching(/^(busy|fresh)$/)]);
    expect(counts[0].mock.calls.length + counts[1].mock.calls.length).toBe(1);
    expect(await database.dataSource.query(`SELECT 1 FROM leases WHERE name = $1`, [SNAPSHOT_LEASE])).toEqual(
      [],
    );
  });

  it('computes again only once the snapshot is as old as METRICS_SNAPSHOT_INTERVAL_MS, on any instance', async () => {
    expect(first.config.metricsSnapshotIntervalMs).toBe(15_000);
    const start = clock.now();
    expect(await first.job.refreshIfDue()).toBe('computed');
    expect(await computedAt()).toEqual([start, start]);

    clock.advance(14_999);
    expect(await first.job.refreshIfDue()).toBe('fresh');
    expect(await second.job.refreshIfDue()).toBe('fresh');
    expect(await computedAt()).toEqual([start, start]);

    clock.advance(1);
    expect(await second.job.refreshIfDue()).toBe('computed');
    expect(await first.job.refreshIfDue()).toBe('fresh');
    expect(await computedAt()).toEqual([clock.now(), clock.now()]);
  });

  it('follows a configured interval', async () => {
    const slow = metricsNode(database, { clock, env: { METRICS_SNAPSHOT_INTERVAL_MS: '60000' } });
    expect(await slow.job.refreshIfDue()).toBe('computed');
    clock.advance(59_999);
    expect(await slow.job.refreshIfDue()).toBe('fresh');
    clock.advance(1);
    expect(await slow.job.refreshIfDue()).toBe('computed');
  });

  it('runs on a timer on instances that run the loops, and not on the others', async () => {
    const api = metricsNode(database, { clock, env: { SCHEDULER_ENABLED: 'false' } });
    const start = jest.spyOn(api.periodicTasks, 'start');
    api.job.onApplicationBootstrap();
    expect(start).not.toHaveBeenCalled();

    const worker = metricsNode(database, { clock, monthlyQuota: 1000, env: { SCHEDULER_ENABLED: 'true' } });
    worker.job.onApplicationBootstrap(); // the first round starts at once
    try {
      expect(
        await waitFor(
          () => seriesOf(worker.metrics, 'metrics_snapshot_age_seconds'),
          (lines) => lines.length === 1,
          10_000,
          20,
        ),
      ).toEqual(['metrics_snapshot_age_seconds 0']);
    } finally {
      await worker.job.onModuleDestroy();
    }
  });
});
