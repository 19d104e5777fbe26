import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Clock } from '../../common/clock/clock';
import { DomainError, InvalidTransitionError } from '../../common/errors/domain-error';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { Transport, UNSENT_RECIPIENT_STATES, WAITING_TO_SEND_STATES } from '../../common/domain';
import { CampaignFinder } from '../campaign-finder';
import { Campaign } from '../entities/campaign.entity';
import { CampaignLifecycleService } from '../lifecycle/campaign-lifecycle.service';
import { CANCELLED_REASON } from '../../common/domain';
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

const INTERVAL_NAME = 'campaign-scheduler';
/** Bounds the per-process cache of run countries (runs in flight at once are far fewer). */
const MAX_CACHED_RUNS = 1000;

/**
 * Moves campaigns through time: prepares runs ahead of their occurrence (earlier for WhatsApp, whose
 * new clients must wait), starts them on time, applies send windows and expiry, and completes them.
 * Every step is a conditional update, so ticks on several instances at once are harmless.
 */
@Injectable()
export class CampaignScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CampaignScheduler.name);
  private ticking = false;
  private readonly runCountries = new Map<string, Array<string | null>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly runs: RunPreparationService,
    private readonly lifecycle: CampaignLifecycleService,
    private readonly finder: CampaignFinder,
    private readonly registry: SchedulerRegistry,
  ) {}

  onModuleInit(): void {
    if (!this.config.schedulerEnabled) return;
    this.registry.addInterval(
      INTERVAL_NAME,
      setInterval(() => void this.tickUnlessBusy(), this.config.dispatch.pollIntervalMs),
    );
  }

  onModuleDestroy(): void {
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
  }

  async tick(): Promise<TickReport> {
    const now = this.clock.now();
    const prepared = await this.prepareDueOccurrences(now);
    const expired = await this.expireLateRuns(now);
    const started = await this.startDueRuns(now);
    const deferred = await this.applySendWindows(now);
    const completed = await this.completeFinishedRuns(now);
    const settled = await this.settleLeftovers(now);
    return { prepared, started, expired, deferred, completed, settled };
  }

  private async tickUnlessBusy(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.tick();
    } catch (error) {
      this.logger.error(`campaign scheduler tick failed: ${(error as Error).stack ?? String(error)}`);
    } finally {
      this.ticking = false;
    }
  }

  /** Scheduled campaigns whose preparation time (occurrence − WhatsApp delay − margin) has come and that have no run for it yet. */
  private async prepareDueOccurrences(now: Date): Promise<number> {
    const lead = (transport: Transport) =>
      preparationLeadMs(
        transport,
        this.config.whatsappNewClientDelaySeconds,
        this.config.dispatch.preparationMarginSeconds,
      );
    const due = await this.campaignsWhere(
      `c.state = 'scheduled' AND c.scheduled_at IS NOT NULL
       AND c.scheduled_at <= $1::timestamptz + (CASE WHEN c.transport = 'whatsapp' THEN $2::int ELSE $3::int END) * interval '1 millisecond'
       AND NOT EXISTS (SELECT 1 FROM campaign_runs r WHERE r.campaign_id = c.id AND r.occurrence_at = c.scheduled_at)`,
      [now, lead('whatsapp'), lead('sms')],
    );
    let prepared = 0;
    for (const campaign of due) {
      await this.guarded(campaign.id, 'prepare', async () => {
        if (await this.runs.prepareRun(campaign, campaign.scheduledAt!)) prepared += 1;
      });
    }
    return prepared;
  }

  /** Runs more than expiresAfterMinutes past their occurrence: unsent recipients expire, the occurrence ends. */
  private async expireLateRuns(now: Date): Promise<number> {
    const late: Array<{ id: string; campaign_id: string; occurrence_at: Date; minutes: number }> =
      await this.dataSource.query(
        `SELECT r.id, r.campaign_id, r.occurrence_at, c.expires_after_minutes AS minutes
       FROM campaign_runs r JOIN campaigns c ON c.id = r.campaign_id
       WHERE r.state IN ('preparing', 'running') AND c.state IN ('scheduled', 'running', 'paused') AND c.expires_after_minutes IS NOT NULL
         AND r.occurrence_at + c.expires_after_minutes * interval '1 minute' < $1`,
        [now],
      );
    let expired = 0;
    for (const run of late) {
      await this.guarded(run.campaign_id, 'expire', () =>
        this.dataSource.transaction(async (manager) => {
          const won = await this.finishRun(manager, run.id, 'expired', now);
          if (!won) return;
          await manager.query(
            `UPDATE campaign_recipients SET state = 'expired', reason = $2, next_attempt_at = NULL, updated_at = $3
             WHERE run_id = $1 AND state = ANY($4::text[])`,
            [
              run.id,
              `expired: not sent within ${run.minutes} minutes of the scheduled time`,
              now,
              WAITING_TO_SEND_STATES,
            ],
          );
          await this.endOccurrence(manager, run.campaign_id, run.occurrence_at, now, 'expired');
          expired += 1;
        }),
      );
    }
    return expired;
  }

  /** Prepared runs whose occurrence has come: run and campaign → running, send window applied. */
  private async startDueRuns(now: Date): Promise<number> {
    const due: Array<{ id: string; campaign_id: string }> = await this.dataSource.query(
      `SELECT r.id, r.campaign_id FROM campaign_runs r JOIN campaigns c ON c.id = r.campaign_id
       WHERE r.state = 'preparing' AND r.occurrence_at <= $1 AND c.state = 'scheduled'
       ORDER BY r.occurrence_at`,
      [now],
    );
    let started = 0;
    for (const run of due) {
      await this.guarded(run.campaign_id, 'start', () =>
        this.dataSource.transaction(async (manager) => {
          const won: unknown[] = await manager.query(
            `WITH won AS (UPDATE campaign_runs SET state = 'running', started_at = $2 WHERE id = $1 AND state = 'preparing' RETURNING id) SELECT id FROM won`,
            [run.id, now],
          );
          if (won.length === 0) return;
          const campaign = await this.finder.get(run.campaign_id, manager);
          await this.lifecycle.transition(
            campaign.id,
            'begin-run',
            { columns: { startedAt: campaign.startedAt ?? now }, details: { runId: run.id } },
            manager,
          );
          await this.runs.deferOutsideSendWindow(campaign, run.id, manager);
          started += 1;
        }),
      );
    }
    return started;
  }

  /** Re-applies send windows to running runs, so a window closing mid-run holds the rest until it reopens. */
  private async applySendWindows(now: Date): Promise<number> {
    const running: Array<{ id: string; campaign_id: string }> = await this.dataSource.query(
      `SELECT r.id, r.campaign_id FROM campaign_runs r JOIN campaigns c ON c.id = r.campaign_id
       WHERE r.state = 'running' AND c.send_window IS NOT NULL AND c.state IN ('running', 'paused')`,
    );
    let deferred = 0;
    for (const run of running) {
      const campaign = await this.finder.get(run.campaign_id);
      const zones = windowTimezones(campaign.sendWindow!, campaign.timezone, await this.countriesOf(run.id));
      if (windowOpenEverywhere(campaign.sendWindow!, zones, now)) continue;
      deferred += await this.runs.deferOutsideSendWindow(campaign, run.id);
    }
    return deferred;
  }

  /** A run's recipients never change country: read once per process, so an open window costs no query per tick. */
  private async countriesOf(runId: string): Promise<Array<string | null>> {
    let countries = this.runCountries.get(runId);
    if (!countries) {
      const rows: Array<{ country: string | null }> = await this.dataSource.query(
        `SELECT DISTINCT country FROM campaign_recipients WHERE run_id = $1`,
        [runId],
      );
      countries = rows.map((row) => row.country);
      if (this.runCountries.size >= MAX_CACHED_RUNS) this.runCountries.clear();
      this.runCountries.set(runId, countries);
    }
    return countries;
  }

  /** Running runs with no recipient left in the pipeline (pending … sending) are complete. */
  private async completeFinishedRuns(now: Date): Promise<number> {
    const finished: Array<{ id: string; campaign_id: string; occurrence_at: Date }> =
      await this.dataSource.query(
        `SELECT r.id, r.campaign_id, r.occurrence_at FROM campaign_runs r JOIN campaigns c ON c.id = r.campaign_id
       WHERE r.state = 'running' AND c.state IN ('running', 'paused')
         AND NOT EXISTS (SELECT 1 FROM campaign_recipients x WHERE x.run_id = r.id AND x.state = ANY($1::text[]))`,
        [UNSENT_RECIPIENT_STATES],
      );
    let completed = 0;
    for (const run of finished) {
      await this.guarded(run.campaign_id, 'complete', () =>
        this.dataSource.transaction(async (manager) => {
          if (!(await this.finishRun(manager, run.id, 'completed', now))) return;
          await this.endOccurrence(manager, run.campaign_id, run.occurrence_at, now, null);
          completed += 1;
        }),
      );
    }
    return completed;
  }

  /**
   * Expiry and cancel leave `sending` rows to the dispatcher; one that comes back unsent (not found
   * by reconciliation → `ready` again) belongs to a run nobody claims from. It gets the end its run
   * had: `expired`, or `skipped` (campaign cancelled). Only runs ended in the last day are looked at
   * (a row is back within a lease or two); the consistency check (doctor) reports anything older.
   */
  private async settleLeftovers(now: Date): Promise<number> {
    const settled: Array<{ count: number }> = await this.dataSource.query(
      `WITH settled AS (
         UPDATE campaign_recipients r SET
           state = CASE WHEN u.state = 'expired' THEN 'expired' ELSE 'skipped' END,
           reason = CASE WHEN u.state = 'expired'
                         THEN 'expired: not sent within ' || coalesce(c.expires_after_minutes::text, '?') || ' minutes of the scheduled time'
                         ELSE $2 END,
           next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = $1
         FROM campaign_runs u JOIN campaigns c ON c.id = u.campaign_id
         WHERE u.state IN ('expired', 'cancelled') AND u.finished_at > $1::timestamptz - interval '1 day'
           AND r.run_id = u.id AND r.state = ANY($3::text[])
         RETURNING 1)
       SELECT count(*)::int AS count FROM settled`,
      [now, CANCELLED_REASON, WAITING_TO_SEND_STATES],
    );
    return Number(settled[0].count);
  }

  /**
   * Conditional: only a run still preparing/running (and, for completion, with nothing unsent) is
   * finished, so a concurrent tick or a retry-failed in between wins cleanly.
   */
  private async finishRun(
    manager: EntityManager,
    runId: string,
    state: 'completed' | 'expired',
    now: Date,
  ): Promise<boolean> {
    const condition =
      state === 'completed'
        ? `state = 'running' AND NOT EXISTS (SELECT 1 FROM campaign_recipients x WHERE x.run_id = $1 AND x.state = ANY($4::text[]))`
        : `state IN ('preparing', 'running')`;
    const params = [runId, now, state, ...(state === 'completed' ? [UNSENT_RECIPIENT_STATES] : [])];
    const finished: unknown[] = await manager.query(
      `WITH finished AS (UPDATE campaign_runs SET state = $3, finished_at = $2 WHERE id = $1 AND ${condition} RETURNING id) SELECT id FROM finished`,
      params,
    );
    return finished.length === 1;
  }

  /**
   * After a run ends: a recurring campaign waits for its next occurrence (computed in its timezone,
   * after now, so a long run never causes a burst of catch-up runs); a one-off one completes — or
   * fails with reason `expired` if it expired before it ever started.
   */
  private async endOccurrence(
    manager: EntityManager,
    campaignId: string,
    occurrenceAt: Date,
    now: Date,
    reason: 'expired' | null,
  ): Promise<void> {
    const campaign = await this.finder.get(campaignId, manager);
    if (campaign.cron) {
      const scheduledAt = nextOccurrence(
        campaign.cron,
        campaign.timezone,
        new Date(Math.max(occurrenceAt.getTime(), now.getTime())),
      );
      if (campaign.state === 'scheduled' || campaign.state === 'paused') {
        // Paused stays paused (with its reason): a person paused it, or the quota; resume picks the next occurrence.
        await manager.update(Campaign, { id: campaignId, state: campaign.state }, { scheduledAt });
      } else {
        await this.lifecycle.transition(
          campaignId,
          'await-next-run',
          { reason, columns: { scheduledAt } },
          manager,
        );
      }
      return;
    }
    if (campaign.state === 'scheduled')
      await this.lifecycle.transition(
        campaignId,
        'fail',
        { reason: 'expired', columns: { finishedAt: now } },
        manager,
      );
    else
      await this.lifecycle.transition(
        campaignId,
        'complete',
        { reason, columns: { finishedAt: now } },
        manager,
      );
  }

  private async campaignsWhere(condition: string, params: unknown[]): Promise<Campaign[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT c.id FROM campaigns c WHERE ${condition}`,
      params,
    );
    return rows.length === 0
      ? []
      : this.dataSource.getRepository(Campaign).findBy({ id: In(rows.map((row) => row.id)) });
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
