import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { QuotaService } from '../chat2desk/quota.service';
import { Clock } from '../common/clock/clock';
import { PeriodicTask, PeriodicTasks } from '../common/scheduling/periodic-tasks';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { errorMessageOf } from '../common/errors/error-text';
import { CampaignStops } from './campaign-stops';
import { Dispatcher } from './dispatcher';
import { Preparer } from './preparer';
import { RecipientQueue } from '../recipients/recipient-queue';

/**
 * Batches in flight at once: while one batch waits on Chat2Desk, the other claims or records, so the
 * database round trips overlap the HTTP calls.
 */
export const DISPATCH_PIPELINES = 2;

export interface TickReport {
  sent: number;
  claimed: number;
  promoted: number;
  swept: number;
  resumed: string[];
}

/**
 * Runs preparation and dispatch continuously when SCHEDULER_ENABLED (tests call tick() instead), and
 * shuts down cleanly: stop claiming, finish the requests in flight, give back what was not started.
 */
@Injectable()
export class DispatchWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DispatchWorker.name);
  private tasks: PeriodicTask[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly dispatcher: Dispatcher,
    private readonly preparer: Preparer,
    private readonly queue: RecipientQueue,
    private readonly quota: QuotaService,
    private readonly stops: CampaignStops,
    private readonly periodicTasks: PeriodicTasks,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.schedulerEnabled) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.tasks.length > 0) return;
    this.dispatcher.start();
    const intervalMs = this.config.dispatch.pollIntervalMs;
    this.tasks = [
      this.periodicTasks.start({
        name: 'dispatch housekeeping',
        intervalMs,
        run: () => this.housekeeping().then(() => false),
      }),
    ];
    for (let index = 0; index < DISPATCH_PIPELINES; index += 1) {
      this.tasks.push(
        this.periodicTasks.start({
          name: 'dispatch',
          intervalMs,
          run: async () => (await this.dispatcher.runOnce()).claimed > 0,
        }),
      );
    }
  }

  async stop(): Promise<void> {
    this.dispatcher.stop();
    await Promise.all(this.tasks.map((task) => task.stop()));
    this.tasks = [];
  }

  /**
   * Preparation, due rows, expired leases, quota resumption: everything but sending. Each step stands
   * alone: one that fails (say, preparation) never stops the others.
   */
  async housekeeping(): Promise<Omit<TickReport, 'sent' | 'claimed'>> {
    await this.isolated('prepare', () => this.preparer.runOnce());
    const promoted = (await this.isolated('promote', () => this.queue.promoteDue(this.clock.now()))) ?? 0;
    const swept = (await this.isolated('sweep', () => this.dispatcher.sweepExpiredLeases())) ?? 0;
    const resumed = (await this.isolated('quota', () => this.resumeWhenQuotaAllows())) ?? [];
    return { promoted, swept, resumed };
  }

  private async isolated<T>(step: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      this.logger.error({ step, err: errorMessageOf(error) }, 'housekeeping step failed; the others went on');
      return undefined;
    }
  }

  /** One full pass, for tests and scripts: housekeeping, then batches until nothing is due (also after stop()). */
  async tick(): Promise<TickReport> {
    this.dispatcher.start();
    const report: TickReport = { sent: 0, claimed: 0, ...(await this.housekeeping()) };
    for (;;) {
      const batch = await this.dispatcher.runOnce();
      report.sent += batch.sent;
      report.claimed += batch.claimed;
      if (batch.claimed === 0) return report;
    }
  }

  /**
   * Campaigns paused for quota resume when the month has turned or the limit was raised: the local
   * count is read every poll while one waits (cheap), and the account's mode (api_info, one request)
   * at most every CHAT2DESK_QUOTA_RECHECK_INTERVAL_MS across instances, so a plan raised in
   * Chat2Desk is seen within about that interval. When Chat2Desk itself refused, the gate raised the
   * local count to the limit, so no batch is spent to find out again.
   */
  private async resumeWhenQuotaAllows(): Promise<string[]> {
    if (!(await this.stops.anyPausedForQuota())) return [];
    let status = await this.quota.status();
    if (status.remaining === 0) {
      // Spent as far as we know (a new month needs no request): only Chat2Desk can say the plan grew.
      const asked = await this.quota
        .refreshIfDue(this.config.chat2desk.quotaRecheckIntervalMs)
        .catch((error: unknown) => {
          this.logger.warn({ err: errorMessageOf(error) }, 'quota re-check: api_info refused; still paused');
          return false;
        });
      if (!asked) return [];
      status = await this.quota.status();
      if (status.remaining === 0) return [];
    }
    const resumed = await this.stops.resumeQuotaPaused();
    if (resumed.length > 0)
      this.logger.log(
        { campaignIds: resumed, remaining: status.remaining },
        'campaigns paused for quota resumed',
      );
    return resumed;
  }
}
