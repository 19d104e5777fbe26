import { ClientReadiness } from '../../clients/client-readiness';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import type { Transport } from '../../common/domain';
import { DomainError, InvalidTransitionError } from '../../common/errors/domain-error';
import { PeriodicTask, PeriodicTasks } from '../../common/scheduling/periodic-tasks';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { Database } from '../../database/database';
import type { Sql } from '../../database/sql';
import { CampaignRecipientsStore } from '../../recipients/campaign-recipients.store';
import { RunStore } from '../../recipients/run.store';
import { CampaignStore } from '../campaign.store';
import { CampaignLifecycleService } from '../lifecycle/campaign-lifecycle.service';
import { RunPreparationService } from '../runs/run-preparation.service';
import { nextOccurrence, preparationLeadMs } from './campaign-schedule';
import { windowOpenEverywhere, windowTimezones } from './send-window';

export interface TickReport {
  /** Runs created with their recipients. */
  prepared: number;
  /** Runs whose time came (campaign → running). */
  started: number;
  /** Runs stopped for being more than expiresAfterMinutes late. */
  expired: number;
  /** Recipients given a later next_attempt_at by a send window. */
  deferred: number;
  /** Runs with nothing left to send. */
  completed: number;
  /** Recipients that came back unsent (a reconciled `sending` row) after their run expired or was cancelled. */
  settled: number;
}

/** Bounds the per-process cache of run countries (runs in flight at once are far fewer). */
const MAX_CACHED_RUNS = 1000;

/**
 * Moves campaigns through time: prepares runs ahead of their occurrence (earlier for WhatsApp, whose
 * new clients must wait), starts them on time, applies send windows and expiry, and completes them.
 * Every step is a conditional update, so ticks on several instances at once are harmless.
 */
@Injectable()
export class CampaignScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CampaignScheduler.name);
  private task?: PeriodicTask;
  private readonly runCountries = new Map<string, Array<string | null>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly periodicTasks: PeriodicTasks,
    private readonly database: Database,
    private readonly campaigns: CampaignStore,
    private readonly runs: RunStore,
    private readonly recipients: CampaignRecipientsStore,
    private readonly preparation: RunPreparationService,
    private readonly lifecycle: CampaignLifecycleService,
    private readonly readiness: ClientReadiness,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled) return;
    this.task = this.periodicTasks.start({
      name: 'campaign scheduler tick',
      intervalMs: this.config.dispatch.pollIntervalMs,
      run: async () => {
        await this.tick();
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }

  async tick(): Promise<TickReport> {
    const now = this.clock.now();
    const prepared = await this.prepareDueOccurrences(now);
    const expired = await this.expireLateRuns(now);
    const started = await this.startDueRuns(now);
    const deferred = await this.applySendWindows(now);
    const completed = await this.completeFinishedRuns(now);
    const settled = await this.recipients.settleLeftovers(now);
    return { prepared, started, expired, deferred, completed, settled };
  }

  /** Scheduled campaigns whose preparation time (occurrence − WhatsApp delay − margin) has come and that have no run for it yet. */
  private async prepareDueOccurrences(now: Date): Promise<number> {
    const lead = (transport: Transport) =>
      preparationLeadMs(transport, this.readiness, this.config.dispatch.preparationMarginSeconds);
    const due = await this.campaigns.dueForPreparation(now, lead('whatsapp'), lead('sms'));
    let prepared = 0;
    for (const campaign of due) {
      await this.guarded(campaign.id, 'prepare', async () => {
        if (await this.preparation.prepareRun(campaign, campaign.scheduledAt!)) prepared += 1;
      });
    }
    return prepared;
  }

  /** Runs more than expiresAfterMinutes past their occurrence: unsent recipients expire, the occurrence ends. */
  private async expireLateRuns(now: Date): Promise<number> {
    const late = await this.runs.late(now);
    let expired = 0;
    for (const run of late) {
      await this.guarded(run.campaignId, 'expire', () =>
        this.database.transaction(async (sql) => {
          if (!(await this.runs.expire(run.id, now, sql))) return;
          await this.recipients.expireWaiting(run.id, run.expiresAfterMinutes, now, sql);
          await this.endOccurrence(sql, run.campaignId, run.occurrenceAt, now, 'expired');
          expired += 1;
        }),
      );
    }
    return expired;
  }

  /** Prepared runs whose occurrence has come: run and campaign → running, send window applied. */
  private async startDueRuns(now: Date): Promise<number> {
    const due = await this.runs.dueToStart(now);
    let started = 0;
    for (const run of due) {
      await this.guarded(run.campaignId, 'start', () =>
        this.database.transaction(async (sql) => {
          if (!(await this.runs.start(run.id, now, sql))) return;
          const campaign = await this.campaigns.get(run.campaignId, sql);
          await this.lifecycle.transition(
            campaign.id,
            'begin-run',
            { columns: { startedAt: campaign.startedAt ?? now }, details: { runId: run.id } },
            sql,
          );
          await this.preparation.deferOutsideSendWindow(campaign, run.id, sql);
          started += 1;
        }),
      );
    }
    return started;
  }

  /** Re-applies send windows to running runs, so a window closing mid-run holds the rest until it reopens. */
  private async applySendWindows(now: Date): Promise<number> {
    const running = await this.runs.runningWithSendWindow();
    let deferred = 0;
    for (const run of running) {
      const campaign = await this.campaigns.get(run.campaignId);
      const zones = windowTimezones(campaign.sendWindow!, campaign.timezone, await this.countriesOf(run.id));
      if (windowOpenEverywhere(campaign.sendWindow!, zones, now)) continue;
      deferred += await this.preparation.deferOutsideSendWindow(campaign, run.id);
    }
    return deferred;
  }

  /** A run's recipients never change country: read once per process, so an open window costs no query per tick. */
  private async countriesOf(runId: string): Promise<Array<string | null>> {
    let countries = this.runCountries.get(runId);
    if (!countries) {
      countries = await this.recipients.countriesOfRun(runId);
      if (this.runCountries.size >= MAX_CACHED_RUNS) this.runCountries.clear();
      this.runCountries.set(runId, countries);
    }
    return countries;
  }

  /** Running runs with no recipient left in the pipeline (pending … sending) are complete. */
  private async completeFinishedRuns(now: Date): Promise<number> {
    const finished = await this.runs.finishedRunning();
    let completed = 0;
    for (const run of finished) {
      await this.guarded(run.campaignId, 'complete', () =>
        this.database.transaction(async (sql) => {
          if (!(await this.runs.complete(run.id, now, sql))) return;
          await this.endOccurrence(sql, run.campaignId, run.occurrenceAt, now, null);
          completed += 1;
        }),
      );
    }
    return completed;
  }

  /**
   * After a run ends: a recurring campaign waits for its next occurrence (computed in its timezone,
   * after now, so a long run never causes a burst of catch-up runs); a one-off one completes — or
   * fails with reason `expired` if it expired before it ever started.
   */
  private async endOccurrence(
    sql: Sql,
    campaignId: string,
    occurrenceAt: Date,
    now: Date,
    reason: 'expired' | null,
  ): Promise<void> {
    const campaign = await this.campaigns.get(campaignId, sql);
    if (campaign.cron) {
      const scheduledAt = nextOccurrence(
        campaign.cron,
        campaign.timezone,
        new Date(Math.max(occurrenceAt.getTime(), now.getTime())),
      );
      if (campaign.state === 'scheduled' || campaign.state === 'paused') {
        // Paused stays paused (with its reason): a person paused it, or the quota; resume picks the next occurrence.
        await this.campaigns.setScheduledAt(campaignId, campaign.state, scheduledAt, sql);
      } else {
        await this.lifecycle.transition(
          campaignId,
          'await-next-run',
          { reason, columns: { scheduledAt } },
          sql,
        );
      }
      return;
    }
    if (campaign.state === 'scheduled')
      await this.lifecycle.transition(
        campaignId,
        'fail',
        { reason: 'expired', columns: { finishedAt: now } },
        sql,
      );
    else
      await this.lifecycle.transition(campaignId, 'complete', { reason, columns: { finishedAt: now } }, sql);
  }

  /**
   * One campaign's trouble must not stop the others. A lost race (409) is normal and silent; a
   * campaign that cannot be prepared for a reason a person must fix (its template vanished) fails
   * with that reason instead of failing every tick.
   */
  private async guarded(campaignId: string, step: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof InvalidTransitionError) return;
      if (error instanceof DomainError && error.kind === 'invalid' && step === 'prepare') {
        await this.lifecycle.fail(campaignId, error.message).catch(() => undefined);
        return;
      }
      this.logger.error(`campaign ${campaignId}: ${step} failed: ${(error as Error).stack ?? String(error)}`);
    }
  }
}
