import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Observers } from '../../common/observers';
import { PeriodicTask, PeriodicTasks } from '../../common/scheduling/periodic-tasks';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { StrandedRecipientsService, StrandedReport } from './stranded-recipients.service';

/**
 * Runs the consistency check every CONSISTENCY_CHECK_INTERVAL_MS (when SCHEDULER_ENABLED): announces the
 * count (metrics exports it as `recipients_stranded`) and logs what it found. It only reports; fixing is a person's call.
 */
@Injectable()
export class ConsistencyCheckJob implements OnApplicationBootstrap, OnModuleDestroy {
  /** How many stranded recipients each check found (metrics exports it as `recipients_stranded`). */
  readonly strandedCounted = new Observers<number>();
  private readonly logger = new Logger(ConsistencyCheckJob.name);
  private task?: PeriodicTask;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly periodicTasks: PeriodicTasks,
    private readonly stranded: StrandedRecipientsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled || this.config.consistencyCheckIntervalMs === 0) return;
    this.task = this.periodicTasks.start({
      name: 'consistency check',
      intervalMs: this.config.consistencyCheckIntervalMs,
      run: async () => {
        await this.run();
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }

  async run(): Promise<StrandedReport> {
    const report = await this.stranded.find();
    this.strandedCounted.notify(report.total);
    if (report.total > 0)
      this.logger.warn(
        { stranded: report.total, groups: report.groups.slice(0, 20) },
        'stranded recipients: nothing will send or settle them (see `doctor`)',
      );
    return report;
  }
}
