import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { QuotaService } from '../chat2desk/quota.service';
import { Clock } from '../common/clock/clock';
import { PeriodicTask, PeriodicTasks } from '../common/scheduling/periodic-tasks';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { NamedLeases } from '../database/named-leases';
import { RecipientReportsStore } from '../recipients/recipient-reports.store';
import { GaugeSnapshot, MetricSnapshotStore } from './metric-snapshot.store';

/** The `leases` row that makes one instance at a time compute the snapshot. */
export const SNAPSHOT_LEASE = 'metrics-snapshot';
/** Renewed every third of it while counting; a holder that dies frees it this fast. */
const SNAPSHOT_LEASE_MS = 60_000;

/**
 * What one round did: `computed` the snapshot; found it `fresh` (younger than the interval, computed
 * by this or another instance); or found another instance computing it (`busy`).
 */
export type SnapshotRound = 'computed' | 'fresh' | 'busy';

/**
 * Computes the database-wide gauges of /metrics — recipients by state (a count over every recipient)
 * and the quota remaining — into `metric_snapshots`, at most every METRICS_SNAPSHOT_INTERVAL_MS and by
 * one instance at a time (the `metrics-snapshot` lease plus the snapshot's age), so that scrapes of
 * any instance only read the snapshot. Runs on instances that run the loops (SCHEDULER_ENABLED).
 */
@Injectable()
export class MetricSnapshotJob implements OnApplicationBootstrap, OnModuleDestroy {
  private task?: PeriodicTask;

  constructor(
    private readonly snapshots: MetricSnapshotStore,
    private readonly recipients: RecipientReportsStore,
    private readonly quota: QuotaService,
    private readonly leases: NamedLeases,
    private readonly clock: Clock,
    private readonly periodicTasks: PeriodicTasks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled) return;
    this.task = this.periodicTasks.start({
      name: 'metrics snapshot',
      intervalMs: this.config.metricsSnapshotIntervalMs,
      run: async () => {
        await this.refreshIfDue();
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }

  /**
   * Computes the snapshot unless it is younger than the interval or another instance is computing
   * it. The age is checked again under the lease: an instance that took the lease just after
   * another one gave it back finds the snapshot fresh and does not count again.
   */
  async refreshIfDue(): Promise<SnapshotRound> {
    if (await this.isFresh()) return 'fresh';
    const round = await this.leases.whileHeld(SNAPSHOT_LEASE, SNAPSHOT_LEASE_MS, async () => {
      if (await this.isFresh()) return 'fresh' as const;
      await this.compute();
      return 'computed' as const;
    });
    return round ?? 'busy';
  }

  /** Measured on this instance's clock (instances' clocks are assumed close: NTP). */
  private async isFresh(): Promise<boolean> {
    const computedAt = await this.snapshots.oldestComputedAt();
    return (
      computedAt !== null && this.clock.nowMs() - computedAt.getTime() < this.config.metricsSnapshotIntervalMs
    );
  }

  private async compute(): Promise<void> {
    // Stamped before counting: the counts are as of (about) now, and the next round comes after them.
    const computedAt = this.clock.now();
    const [states, quota] = await Promise.all([this.recipients.countsByState(), this.quota.status()]);
    const gauges: Array<Pick<GaugeSnapshot, 'name' | 'series'>> = [
      {
        name: 'recipients_by_state',
        series: states.map(({ state, count }) => ({ labels: { state }, value: count })),
      },
      {
        name: 'quota_remaining',
        series: quota.remaining === null ? [] : [{ labels: {}, value: quota.remaining }],
      },
    ];
    await this.snapshots.replace(gauges, computedAt);
  }
}
