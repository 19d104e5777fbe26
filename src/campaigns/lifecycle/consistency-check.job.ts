import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { StrandedRecipientsService, StrandedReport } from './stranded-recipients.service';

const INTERVAL_NAME = 'consistency-check';

/**
 * Runs the consistency check every CONSISTENCY_CHECK_INTERVAL_MS (when SCHEDULER_ENABLED): exports the
 * count as `recipients_stranded` and logs what it found. It only reports; fixing is a person's call.
 */
@Injectable()
export class ConsistencyCheckJob implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ConsistencyCheckJob.name);
  private checking = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stranded: StrandedRecipientsService,
    private readonly registry: SchedulerRegistry,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  onModuleInit(): void {
    if (!this.config.schedulerEnabled || this.config.consistencyCheckIntervalMs === 0) return;
    this.registry.addInterval(
      INTERVAL_NAME,
      setInterval(() => void this.runUnlessBusy(), this.config.consistencyCheckIntervalMs),
    );
  }

  onModuleDestroy(): void {
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
  }

  async run(): Promise<StrandedReport> {
    const report = await this.stranded.find();
    this.metrics?.setStrandedRecipients(report.total);
    if (report.total > 0)
      this.logger.warn(
        { stranded: report.total, groups: report.groups.slice(0, 20) },
        'stranded recipients: nothing will send or settle them (see `doctor`)',
      );
    return report;
  }

  private async runUnlessBusy(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.run();
    } catch (error) {
      this.logger.error(`consistency check failed: ${(error as Error).stack ?? String(error)}`);
    } finally {
      this.checking = false;
    }
  }
}
