import { PinoLogger } from 'nestjs-pino';
import { ConsistencyCheckJob } from '../campaigns/lifecycle/consistency-check.job';
import { RequestGate } from '../chat2desk/request-gate';
import { ManualClock } from '../common/clock/clock';
import { Observers } from '../common/observers';
import { ImportRunner } from '../contacts/import/import-runner';
import { seedCampaign } from '../../test/support/dispatch-fixtures';
import { metricsNode, MetricsNode, seriesOf } from '../../test/support/metrics-node';
import { createTestDatabase, TestDatabase } from '../../test/support/test-database';
import { MetricSnapshotStore } from './metric-snapshot.store';
import { MetricsService } from './metrics.service';

describe('database-wide gauges of /metrics (recipients_by_state, quota_remaining): read from the snapshot', () => {
  let database: TestDatabase;
  const clock = new ManualClock(new Date());
  let node: MetricsNode;

  beforeAll(async () => {
    database = await createTestDatabase();
    node = metricsNode(database, { clock, monthlyQuota: 1000 });
  });
  afterAll(() => database.drop());

  const phones = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(7, '0')}`);

  it('shows no database-wide series and no snapshot age before the first snapshot', async () => {
    expect(await seriesOf(node.metrics, 'recipients_by_state')).toEqual([]);
    expect(await seriesOf(node.metrics, 'quota_remaining')).toEqual([]);
    expect(await seriesOf(node.metrics, 'metrics_snapshot_age_seconds')).toEqual([]);
    expect((await node.metrics.render()).body).toContain('# TYPE metrics_snapshot_age_seconds gauge');
  });

  it('serves the snapshot without counting at scrape time, until the next snapshot', async () => {
    const first = await seedCampaign(database.dataSource, { phones: phones('7911', 3) });
    await database.dataSource.query(
      `UPDATE campaign_recipients SET state = CASE WHEN phone LIKE '%0' THEN 'failed' ELSE 'sent' END WHERE run_id = $1`,
      [first.runId],
    );
    expect(await node.job.refreshIfDue()).toBe('computed');
    const counts = jest.spyOn(node.recipients, 'countsByState');

    expect(await seriesOf(node.metrics, 'recipients_by_state')).toEqual([
      'recipients_by_state{state="failed"} 1',
      'recipients_by_state{state="sent"} 2',
    ]);
    expect(await seriesOf(node.metrics, 'quota_remaining')).toEqual(['quota_remaining 950']); // 1000 - reserve 50
    expect(await seriesOf(node.metrics, 'metrics_snapshot_age_seconds')).toEqual([
      'metrics_snapshot_age_seconds 0',
    ]);

    // Recipients and quota move; the scrapes keep showing the snapshot, and count nothing.
    await seedCampaign(database.dataSource, { phones: phones('7912', 4) });
    await node.quota.reserve(10);
    clock.advance(9_500);
    expect(await seriesOf(node.metrics, 'recipients_by_state')).toEqual([
      'recipients_by_state{state="failed"} 1',
      'recipients_by_state{state="sent"} 2',
    ]);
    expect(await seriesOf(node.metrics, 'quota_remaining')).toEqual(['quota_remaining 950']);
    expect(await seriesOf(node.metrics, 'metrics_snapshot_age_seconds')).toEqual([
      'metrics_snapshot_age_seconds 9.5',
    ]);
    expect(counts).not.toHaveBeenCalled();

    // The interval has passed: the next round counts again, and the age starts over.
    clock.advance(5_500);
    expect(await node.job.refreshIfDue()).toBe('computed');
    expect(counts).toHaveBeenCalledTimes(1);
    expect(await seriesOf(node.metrics, 'recipients_by_state')).toEqual([
      'recipients_by_state{state="failed"} 1',
      'recipients_by_state{state="pending"} 4',
      'recipients_by_state{state="sent"} 2',
    ]);
    expect(await seriesOf(node.metrics, 'quota_remaining')).toEqual(['quota_remaining 940']);
    expect(await seriesOf(node.metrics, 'metrics_snapshot_age_seconds')).toEqual([
      'metrics_snapshot_age_seconds 0',
    ]);
    counts.mockRestore();
  });

  it('serves one snapshot from every instance, whichever computed it, with its age on the scraped clock', async () => {
    const apiNode = metricsNode(database, { clock, monthlyQuota: 1000 });
    clock.advance(2_000);
    expect(await seriesOf(apiNode.metrics, 'recipients_by_state')).toEqual(
      await seriesOf(node.metrics, 'recipients_by_state'),
    );
    expect(await seriesOf(apiNode.metrics, 'metrics_snapshot_age_seconds')).toEqual([
      'metrics_snapshot_age_seconds 2',
    ]);
  });

  it('leaves quota_remaining out when the quota is unknown or unlimited, still showing the age', async () => {
    const unknownQuota = metricsNode(database, { clock });
    clock.advance(15_000);
    expect(await unknownQuota.job.refreshIfDue()).toBe('computed');
    expect(await seriesOf(unknownQuota.metrics, 'quota_remaining')).toEqual([]);
    expect(await seriesOf(unknownQuota.metrics, 'recipients_by_state')).toHaveLength(3);
    expect(await seriesOf(unknownQuota.metrics, 'metrics_snapshot_age_seconds')).toEqual([
      'metrics_snapshot_age_seconds 0',
    ]);
  });

  it('still serves the per-instance metrics when the snapshot cannot be read', async () => {
    const failing = {
      read: () => Promise.reject(new Error('connection refused')),
    } as unknown as MetricSnapshotStore;
    const metrics = new MetricsService(
      failing,
      clock,
      { onOutcome: () => undefined, onRateLimitWait: () => undefined } as unknown as RequestGate,
      { rowsProcessed: new Observers(), throughput: new Observers() } as unknown as ImportRunner,
      { strandedCounted: new Observers() } as unknown as ConsistencyCheckJob,
      new PinoLogger({ pinoHttp: { level: 'silent' } }),
    );
    metrics.recordChat2DeskRequest('POST /v1/messages', 'success');
    expect(await seriesOf(metrics, 'recipients_by_state')).toEqual([]);
    expect(await seriesOf(metrics, 'metrics_snapshot_age_seconds')).toEqual([]);
    expect(await seriesOf(metrics, 'chat2desk_requests_total')).toEqual([
      'chat2desk_requests_total{endpoint="POST /v1/messages",outcome="success"} 1',
    ]);
  });
});
