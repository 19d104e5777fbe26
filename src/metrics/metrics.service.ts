import { Injectable, OnModuleInit } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RequestOutcome } from '../chat2desk/chat2desk.errors';
import { RequestGate } from '../chat2desk/request-gate';
import { ConsistencyCheckJob } from '../campaigns/lifecycle/consistency-check.job';
import { Clock } from '../common/clock/clock';
import { ImportRowResult, ImportRunner } from '../contacts/import/import-runner';
import { GaugeSnapshot, MetricSnapshotStore, SnapshotGaugeName } from './metric-snapshot.store';

/**
 * The app's Prometheus metrics, fed by the modules that know the numbers; Chat2Desk request outcomes
 * and rate-limit waits come from the request gate's hooks. One registry per app instance (not
 * prom-client's global one), so several apps in one test process don't collide. The database-wide
 * gauges (recipients by state, quota remaining) come from the snapshot MetricSnapshotJob keeps in
 * `metric_snapshots`: a scrape reads it (one small query) and counts nothing.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();

  private readonly chat2deskRequests = new Counter({
    name: 'chat2desk_requests_total',
    help: 'Chat2Desk API requests by endpoint (e.g. "POST /v1/messages") and outcome',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly quotaRemaining = new Gauge({
    name: 'quota_remaining',
    help: 'Chat2Desk requests campaigns may still spend this month (limit - used - reserve), as of the metrics snapshot; absent when unlimited or unknown',
    registers: [this.registry],
  });

  private readonly rateLimiterWait = new Histogram({
    name: 'rate_limiter_wait_seconds',
    help: 'Time a request waited for its slot in the shared rate limiter',
    buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  private readonly importRows = new Counter({
    name: 'import_rows_total',
    help: 'Contact rows processed by imports, by result (imported, updated, duplicate, invalid)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  private readonly importRowsPerSecond = new Gauge({
    name: 'import_rows_per_second',
    help: 'Throughput of the import running now (0 when none runs)',
    registers: [this.registry],
  });

  private readonly recipientsByState = new Gauge({
    name: 'recipients_by_state',
    help: 'Campaign recipients in each state, all campaigns, as of the metrics snapshot (see metrics_snapshot_age_seconds)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  private readonly snapshotAge = new Gauge({
    name: 'metrics_snapshot_age_seconds',
    help: 'Age of the snapshot recipients_by_state and quota_remaining come from (computed every METRICS_SNAPSHOT_INTERVAL_MS by one instance that runs the loops); absent before the first one',
    registers: [this.registry],
  });

  /** The prom-client gauge each gauge of the snapshot is shown as. */
  private readonly snapshotGauges: Record<SnapshotGaugeName, Gauge<string>> = {
    recipients_by_state: this.recipientsByState,
    quota_remaining: this.quotaRemaining,
  };

  private readonly strandedRecipients = new Gauge({
    name: 'recipients_stranded',
    help: 'Recipients waiting to be sent whose campaign and run nothing will move (the consistency check, `doctor`); should be 0',
    registers: [this.registry],
  });

  constructor(
    private readonly snapshots: MetricSnapshotStore,
    private readonly clock: Clock,
    private readonly gate: RequestGate,
    private readonly imports: ImportRunner,
    private readonly consistencyCheck: ConsistencyCheckJob,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(MetricsService.name);
    collectDefaultMetrics({ register: this.registry });
  }

  onModuleInit(): void {
    this.gate.onOutcome((outcome, endpoint) => this.recordChat2DeskRequest(endpoint, outcome));
    this.gate.onRateLimitWait((seconds) => this.observeRateLimiterWait(seconds));
    this.imports.rowsProcessed.subscribe(({ result, count }) => this.addImportRows(result, count));
    this.imports.throughput.subscribe((rowsPerSecond) => this.setImportRowsPerSecond(rowsPerSecond));
    this.consistencyCheck.strandedCounted.subscribe((count) => this.setStrandedRecipients(count));
  }

  /** `outcome` is the label of chat2desk_requests_total: the client's typed error name in snake case. */
  recordChat2DeskRequest(endpoint: string, outcome: RequestOutcome): void {
    this.chat2deskRequests.inc({ endpoint, outcome });
  }

  observeRateLimiterWait(seconds: number): void {
    this.rateLimiterWait.observe(seconds);
  }

  addImportRows(result: ImportRowResult, count: number): void {
    this.importRows.inc({ result }, count);
  }

  setImportRowsPerSecond(rowsPerSecond: number): void {
    this.importRowsPerSecond.set(rowsPerSecond);
  }

  /** Set by the periodic consistency check (its result is not cheap enough to count at every scrape). */
  setStrandedRecipients(count: number): void {
    this.strandedRecipients.set(count);
  }

  /** The text exposition format Prometheus scrapes. */
  async render(): Promise<{ contentType: string; body: string }> {
    this.showSnapshot(await this.readSnapshot());
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** The snapshot's rows; none when the database does not answer (the scrape still serves the rest). */
  private async readSnapshot(): Promise<GaugeSnapshot[]> {
    try {
      return await this.snapshots.read();
    } catch (error) {
      this.logger.warn({ err: error }, 'metrics snapshot: read failed');
      return [];
    }
  }

  private showSnapshot(snapshot: GaugeSnapshot[]): void {
    for (const gauge of [...Object.values(this.snapshotGauges), this.snapshotAge]) {
      gauge.reset();
      gauge.remove({}); // a gauge without labels would otherwise show 0: absent means unknown
    }
    for (const { name, series } of snapshot)
      for (const { labels, value } of series) this.snapshotGauges[name].set(labels, value);
    if (snapshot.length === 0) return;
    const oldest = Math.min(...snapshot.map(({ computedAt }) => computedAt.getTime()));
    // On this instance's clock; a snapshot stamped by a clock ahead of ours shows as 0, not negative.
    this.snapshotAge.set(Math.max(0, (this.clock.nowMs() - oldest) / 1000));
  }
}
