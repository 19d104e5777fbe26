import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { StatusTracker } from './status-tracker';

/** The thin timer around StatusTracker.pollOnce(); off in tests and the CLI (SCHEDULER_ENABLED=false). */
@Injectable()
export class TrackingScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TrackingScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly tracker: StatusTracker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled) return;
    this.timer = setInterval(() => this.tick(), this.config.tracking.pollIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    // A slow round (many pages) is never overlapped by the next one.
    if (this.running) return;
    this.running = this.tracker
      .pollOnce()
      .catch((error: unknown) =>
        this.logger.error(
          `Status tracking round failed: ${error instanceof Error ? error.stack : String(error)}`,
        ),
      )
      .finally(() => (this.running = undefined));
  }
}
