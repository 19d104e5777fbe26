import { PinoLogger } from 'nestjs-pino';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ConsistencyCheckJob } from '../../src/campaigns/lifecycle/consistency-check.job';
import { QuotaService } from '../../src/chat2desk/quota.service';
import { RequestGate } from '../../src/chat2desk/request-gate';
import { Clock } from '../../src/common/clock/clock';
import { Observers } from '../../src/common/observers';
import { PeriodicTasks } from '../../src/common/scheduling/periodic-tasks';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { ImportRunner } from '../../src/contacts/import/import-runner';
import { Database } from '../../src/database/database';
import { NamedLeases } from '../../src/database/named-leases';
import { MetricSnapshotJob } from '../../src/metrics/metric-snapshot.job';
import { MetricSnapshotStore } from '../../src/metrics/metric-snapshot.store';
import { MetricsService } from '../../src/metrics/metrics.service';
import { RecipientReportsStore } from '../../src/recipients/recipient-reports.store';
import { TestDatabase } from './test-database';

/** One instance's metrics parts on a shared database: its snapshot job, its scrape, its stores. */
export interface MetricsNode {
  job: MetricSnapshotJob;
  metrics: MetricsService;
  recipients: RecipientReportsStore;
  quota: QuotaService;
  periodicTasks: PeriodicTasks;
  config: AppConfig;
}

export interface MetricsNodeOptions {
  clock: Clock;
  /** As an operator would set it (METRICS_SNAPSHOT_INTERVAL_MS, SCHEDULER_ENABLED…); loops off by default. */
  env?: Record<string, string>;
  /** CHAT2DESK_MONTHLY_QUOTA's value; undefined = the quota is unknown (no mode learnt). */
  monthlyQuota?: number;
}

/**
 * The metrics of one instance built by hand on `database` (no Nest, no Chat2Desk: a gate nobody
 * calls, observers nobody notifies); several of them stand for several instances on one database.
 */
export function metricsNode(database: TestDatabase, options: MetricsNodeOptions): MetricsNode {
  const config = loadAppConfig({
    DATABASE_URL: database.url,
    SCHEDULER_ENABLED: 'false',
    CHAT2DESK_QUOTA_RESERVE: '50',
    ...options.env,
  });
  const db = new Database(database.dataSource);
  const snapshots = new MetricSnapshotStore(db);
  const recipients = new RecipientReportsStore(db);
  const quota = new QuotaService(
    db.sql,
    { monthlyQuota: options.monthlyQuota, reserve: config.chat2desk.quotaReserve, rateLimitPerSecond: 5 },
    options.clock,
  );
  const periodicTasks = new PeriodicTasks(new SchedulerRegistry());
  const job = new MetricSnapshotJob(
    snapshots,
    recipients,
    quota,
    new NamedLeases(db, options.clock),
    options.clock,
    periodicTasks,
    config,
  );
  const metrics = new MetricsService(
    snapshots,
    options.clock,
    { onOutcome: () => undefined, onRateLimitWait: () => undefined } as unknown as RequestGate,
    { rowsProcessed: new Observers(), throughput: new Observers() } as unknown as ImportRunner,
    { strandedCounted: new Observers() } as unknown as ConsistencyCheckJob,
    new PinoLogger({ pinoHttp: { level: 'silent' } }),
  );
  return { job, metrics, recipients, quota, periodicTasks, config };
}

/** The value lines of `name` in a scrape (`name 3`, `name{label="x"} 3`), sorted. */
export async function seriesOf(metrics: MetricsService, name: string): Promise<string[]> {
  const { body } = await metrics.render();
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .sort();
}
