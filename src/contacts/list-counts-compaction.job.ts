import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { PeriodicTask, PeriodicTasks } from '../common/scheduling/periodic-tasks';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { ContactListStore } from './contact-list.store';

/**
 * Every LIST_COUNTS_COMPACTION_INTERVAL_MS (when the loops run here), folds each list's count rows
 * into one, so that reading the counts stays a few rows per list however much was written. Safe on
 * several instances at once (see ContactListStore.compactCounts): no lease.
 */
@Injectable()
export class ListCountsCompactionJob implements OnApplicationBootstrap, OnModuleDestroy {
  private task?: PeriodicTask;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly periodicTasks: PeriodicTasks,
    private readonly store: ContactListStore,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled) return;
    this.task = this.periodicTasks.start({
      name: 'list counts compaction',
      intervalMs: this.config.listCountsCompactionIntervalMs,
      run: async () => {
        await this.store.compactCounts();
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }
}
