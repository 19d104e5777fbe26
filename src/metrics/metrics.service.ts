import { Injectable, OnModuleInit } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RequestOutcome } from '../chat2desk/chat2desk.errors';
import { QuotaService } from '../chat2desk/quota.service';
import { RequestGate } from '../chat2desk/request-gate';
import { ConsistencyCheckJob } from '../campaigns/lifecycle/consistency-check.job';
import { ImportRowResult, ImportRunner } from '../contacts/import/import-runner';
import { RecipientReportsStore } from '../recipients/recipient-reports.store';

const UNDEFINED_TABLE = '42P01';

/**
 * The app's Prometheus metrics, fed by the modules that know the numbers; Chat2Desk request outcomes
 * and rate-limit waits come from the request gate's hooks. One registry per app instance (not
 * prom-client's global one), so several apps in one test process don't collide.
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
    help: 'Chat2Desk requests campaigns may still spend this month (limit - used - reserve); absent when unlimited or unknown',
    registers: [this.registry],
    collect: () => this.collectQuotaRemaining(),
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
    help: 'Campaign recipients in each state, counted from the database at scrape time',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => this.collectRecipientsByState(),
  });

  private readonly strandedRecipients = new Gauge({
    name: 'recipients_stranded',
    help: 'Recipients waiting to be sent whose campaign and run nothing will move (the consistency check, `doctor`); should be 0',
    registers: [this.registry],
  });

  constructor(
    private readonly recipients: RecipientReportsStore,
    private readonly quota: QuotaService,
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
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async collectQuotaRemaining(): Promise<void> {
    this.quotaRemaining.reset();
    try {
      const { remaining } = await this.quota.status();
      if (remaining !== null) this.quotaRemaining.set(remaining);
    } catch (error) {
      this.logger.warn({ err: error }, 'quota_remaining: quota status failed');
    }
  }

  private async collectRecipientsByState(): Promise<void> {
    const gauge = this.recipientsByState;
    gauge.reset();
    try {
      const rows = await this.recipients.countsByState();
      for (const row of rows) gauge.set({ state: row.state }, row.count);
    } catch (error) {
      // Before the campaigns migration ran there is nothing to count; anything else is worth a line.
      if ((error as { code?: string }).code !== UNDEFINED_TABLE)
        this.logger.warn({ err: error }, 'recipients_by_state: query failed');
    }
  }
}
