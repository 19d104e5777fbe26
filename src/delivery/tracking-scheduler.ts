import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { PeriodicTask, PeriodicTasks } from '../common/scheduling/periodic-tasks';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { StatusTracker } from './status-tracker';

/** Runs StatusTracker.pollOnce() on a timer; off in tests and the CLI (SCHEDULER_ENABLED=false). */
@Injectable()
export class TrackingScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private task?: PeriodicTask;

  constructor(
    private readonly tracker: StatusTracker,
    private readonly periodicTasks: PeriodicTasks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled) return;
    this.task = this.periodicTasks.start({
      name: 'Status tracking round',
      intervalMs: this.config.tracking.pollIntervalMs,
      run: async () => {
        await this.tracker.pollOnce();
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }
}
