import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { Actor } from '../../common/actor';
import { Clock } from '../../common/clock/clock';
import { DomainError, InvalidInputError, InvalidTransitionError } from '../../common/errors/domain-error';
import { sqlFrom } from '../../database/sql';
import { CampaignFinder } from '../campaign-finder';
import { WAITING_TO_SEND_STATES } from '../../common/domain';
import {
  allowedFrom,
  assertTransition,
  CampaignAction,
  isResumableFailure,
  targetState,
} from '../campaign-transitions';
import { Campaign } from '../entities/campaign.entity';
import { CampaignForecastService } from '../forecast/campaign-forecast.service';
import { CANCELLED_REASON, OPTED_OUT_REASON } from '../../common/domain';
import { nextOccurrence, parseScheduledAt } from '../scheduling/campaign-schedule';

export interface ScheduleOptions {
  /** Overrides the campaign's scheduledAt (ISO; without an offset it is read in the campaign timezone). */
  scheduledAt?: string;
  /** Accept a forecast that does not fit the month's remaining quota. */
  allowPartial?: boolean;
}

export interface TransitionChange {
  /** state_reason after the transition; null (the default) clears it. */
  reason?: string | null;
  /** Other campaign columns to set in the same conditional update. */
  columns?: Partial<Pick<Campaign, 'scheduledAt' | 'startedAt' | 'finishedAt' | 'forecast' | 'allowPartial'>>;
  actor?: Actor;
  /** Extra audit details. */
  details?: Record<string, unknown>;
}

/** A time this little in the past is "now" (a form submitted slowly), not a mistake. */
const PAST_TOLERANCE_MS = 60_000;

/** Audit action per transition (`campaign.<this>`). */
const AUDIT_ACTIONS: Record<CampaignAction, string> = {
  schedule: 'scheduled',
  start: 'started',
  'begin-run': 'run_started',
  pause: 'paused',
  resume: 'resumed',
  'resume-next-run': 'resumed',
  cancel: 'cancelled',
  complete: 'completed',
  'await-next-run': 'run_finished',
  fail: 'failed',
  'retry-failed': 'retry_failed',
};

/**
 * Every campaign state change. Each one is a single conditional UPDATE (`WHERE state IN (allowed)`),
 * so when two instances or two crons race, exactly one wins and the other gets a 409.
 */
@Injectable()
export class CampaignLifecycleService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly forecasts: CampaignForecastService,
    private readonly finder: CampaignFinder,
  ) {}

  async schedule(id: string, options: ScheduleOptions, actor: Actor): Promise<Campaign> {
    const campaign = await this.finder.get(id);
    assertTransition('schedule', campaign.state);
    const scheduledAt = this.firstOccurrence(campaign, options.scheduledAt);
    if (scheduledAt.getTime() < this.clock.nowMs() - PAST_TOLERANCE_MS) {
      throw new InvalidInputError(
        'scheduledAt',
        `${scheduledAt.toISOString()} is in the past (timezone ${campaign.timezone}); pick a later time, or use start to send now`,
      );
    }
    return this.launch(campaign, 'schedule', scheduledAt, options.allowPartial, actor);
  }

  /** Runs now: scheduledAt = now; the scheduler's next tick prepares and starts the run. */
  async start(id: string, options: Pick<ScheduleOptions, 'allowPartial'>, actor: Actor): Promise<Campaign> {
    const campaign = await this.finder.get(id);
    assertTransition('start', campaign.state);
    return this.launch(campaign, 'start', this.clock.now(), options.allowPartial, actor);
  }

  async pause(id: string, actor: Actor, reason = 'user'): Promise<Campaign> {
    await this.transition(id, 'pause', { reason, actor });
    return this.finder.get(id);
  }

  /** The dispatcher: the month's quota is spent. resumeQuotaPaused() undoes it. */
  pauseForQuota(id: string): Promise<Campaign> {
    return this.pause(id, 'system', 'quota');
  }

  /**
   * Paused, or failed for a reason a person fixed (the token): back to `running` when a run is in
   * progress (its recipients, released `ready` when it stopped, are claimed again), else to
   * `scheduled` (a recurring campaign whose occurrence ended while paused; a past next occurrence
   * moves to the next one after now).
   */
  async resume(id: string, actor: Actor): Promise<Campaign> {
    const campaign = await this.finder.get(id);
    if (campaign.state === 'failed' && !isResumableFailure(campaign.state, campaign.stateReason))
      throw new DomainError(
        'conflict',
        'campaign_not_resumable',
        `Campaign ${campaign.name} failed (${campaign.stateReason ?? 'no reason'}) and cannot be resumed; cancel it, or create it again`,
      );
    await this.dataSource.transaction(async (manager) => {
      const run = await this.runInProgress(manager, id);
      // A one-off campaign without a run in progress has nothing to wait for: running, as before.
      if (run === 'running' || (run === null && !campaign.cron)) {
        await this.transition(id, 'resume', { actor, columns: { finishedAt: null } }, manager);
        return;
      }
      const scheduledAt =
        run === null && campaign.cron && (campaign.scheduledAt?.getTime() ?? 0) < this.clock.nowMs()
          ? nextOccurrence(campaign.cron, campaign.timezone, this.clock.now())
          : (campaign.scheduledAt ?? undefined);
      await this.transition(
        id,
        'resume-next-run',
        { actor, columns: { finishedAt: null, ...(scheduledAt ? { scheduledAt } : {}) } },
        manager,
      );
    });
    return this.finder.get(id);
  }

  /** The dispatcher, when quota is available again (month turned, limit raised): resumes every campaign paused for quota. */
  async resumeQuotaPaused(): Promise<string[]> {
    // A recurring campaign between occurrences (no run in progress) waits for the next one.
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `WITH resumed AS (
         UPDATE campaigns c SET state_reason = NULL, updated_at = $1,
           state = CASE WHEN c.cron IS NOT NULL AND NOT EXISTS (
                          SELECT 1 FROM campaign_runs u WHERE u.campaign_id = c.id AND u.state = 'running')
                        THEN 'scheduled' ELSE 'running' END
         WHERE c.state = 'paused' AND c.state_reason = 'quota' RETURNING c.id)
       SELECT id FROM resumed`,
      [this.clock.now()],
    );
    for (const { id } of rows)
      await this.audit.record({
        actor: 'system',
        action: 'campaign.resumed',
        entityType: 'campaign',
        entityId: id,
        details: { after: 'quota' },
      });
    return rows.map((row) => row.id);
  }

  async anyPausedForQuota(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM campaigns WHERE state = 'paused' AND state_reason = 'quota' LIMIT 1`,
    );
    return rows.length > 0;
  }

  /** 'running' when a run sends now, 'preparing' when one waits for its time, else null. */
  private async runInProgress(
    manager: EntityManager,
    campaignId: string,
  ): Promise<'running' | 'preparing' | null> {
    const rows: Array<{ state: 'running' | 'preparing' }> = await manager.query(
      `SELECT state FROM campaign_runs WHERE campaign_id = $1 AND state IN ('running', 'preparing')
       ORDER BY (state = 'running') DESC LIMIT 1`,
      [campaignId],
    );
    return rows[0]?.state ?? null;
  }

  /**
   * Cancels the campaign (also a failed one) and its active runs; unsent recipients become `skipped`
   * ("campaign cancelled"). Rows in `sending` are left to the dispatcher, which reconciles them; one
   * that comes back unsent is skipped by the dispatcher or the scheduler's leftover sweep.
   */
  async cancel(id: string, actor: Actor): Promise<Campaign> {
    await this.dataSource.transaction(async (manager) => {
      await this.transition(id, 'cancel', { actor, columns: { finishedAt: this.clock.now() } }, manager);
      await manager.query(
        `UPDATE campaign_runs SET state = 'cancelled', finished_at = $2 WHERE campaign_id = $1 AND state IN ('preparing', 'running')`,
        [id, this.clock.now()],
      );
      await manager.query(
        `UPDATE campaign_recipients SET state = 'skipped', reason = $2, next_attempt_at = NULL, updated_at = $3
         WHERE campaign_id = $1 AND state = ANY($4::text[])`,
        [id, CANCELLED_REASON, this.clock.now(), WAITING_TO_SEND_STATES],
      );
    });
    return this.finder.get(id);
  }

  /** Stops a campaign for a reason that needs a person (credentials revoked, channel gone…). */
  async fail(id: string, reason: string, actor: Actor = 'system'): Promise<Campaign> {
    await this.transition(id, 'fail', { reason, actor, columns: { finishedAt: this.clock.now() } });
    return this.finder.get(id);
  }

  failForCredentials(id: string): Promise<Campaign> {
    return this.fail(id, 'credentials');
  }

  /**
   * Gives the failed recipients of the latest run another attempt: attempts reset, the last error
   * kept (last_error_*) as the history of why, a client already resolved goes straight to `ready`.
   * A failed recipient whose phone was opted out since is `skipped` (`opted out`) instead, never put back.
   */
  async retryFailed(
    id: string,
    actor: Actor,
  ): Promise<{ campaign: Campaign; retried: number; skippedOptedOut: number }> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const campaign = await this.finder.get(id, manager);
      assertTransition('retry-failed', campaign.state);
      const runs: Array<{ id: string }> = await manager.query(
        `SELECT id FROM campaign_runs WHERE campaign_id = $1 ORDER BY occurrence_at DESC LIMIT 1`,
        [id],
      );
      if (runs.length === 0)
        throw new DomainError(
          'conflict',
          'campaign_nothing_to_retry',
          `Campaign ${id} has not run yet: nothing to retry`,
        );
      const skippedOptedOut = await this.skipOptedOutFailures(manager, runs[0].id, id);
      const retried = await this.resetFailures(manager, runs[0].id, id);
      if (retried === 0 && skippedOptedOut === 0)
        throw new DomainError(
          'conflict',
          'campaign_nothing_to_retry',
          `Campaign ${id} has no failed recipients to retry`,
        );
      if (retried === 0) return { retried, skippedOptedOut };
      await manager.query(`UPDATE campaign_runs SET state = 'running', finished_at = NULL WHERE id = $1`, [
        runs[0].id,
      ]);
      await this.transition(
        id,
        'retry-failed',
        {
          actor,
          columns: { finishedAt: null },
          details: { retried, skippedOptedOut, runId: runs[0].id },
        },
        manager,
      );
      return { retried, skippedOptedOut };
    });
    return { campaign: await this.finder.get(id), ...outcome };
  }

  /** Failed recipients whose phone is in the register (or flagged in its list) → skipped, `opted out`. */
  private async skipOptedOutFailures(
    manager: EntityManager,
    runId: string,
    campaignId: string,
  ): Promise<number> {
    const [, skipped] = (await manager.query(
      `UPDATE campaign_recipients r SET state = 'skipped', reason = $3, next_attempt_at = NULL, updated_at = $4
       WHERE r.run_id = $1 AND r.campaign_id = $2 AND r.state = 'failed'
         AND (EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = r.phone)
              OR EXISTS (SELECT 1 FROM contacts c WHERE c.id = r.contact_id AND c.opted_out))`,
      [runId, campaignId, OPTED_OUT_REASON, this.clock.now()],
    )) as [unknown, number];
    return skipped;
  }

  private async resetFailures(manager: EntityManager, runId: string, campaignId: string): Promise<number> {
    const reset: Array<{ count: string }> = await manager.query(
      `WITH reset AS (
         UPDATE campaign_recipients SET
           state = CASE WHEN chat2desk_client_id IS NULL THEN 'pending' ELSE 'ready' END,
           attempts = 0, reason = NULL, failed_at = NULL, next_attempt_at = NULL, attempt_id = NULL,
           attempt_started_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
           chat2desk_message_id = NULL, raw_status = NULL, sent_at = NULL, updated_at = $3
         WHERE run_id = $1 AND campaign_id = $2 AND state = 'failed' RETURNING 1)
       SELECT count(*)::text AS count FROM reset`,
      [runId, campaignId, this.clock.now()],
    );
    return Number(reset[0].count);
  }

  /**
   * The one place a campaign's state changes. Throws 404 for an unknown campaign and 409
   * (InvalidTransitionError) when it is not in a state the action is allowed from — including when
   * another instance changed it a moment ago.
   */
  async transition(
    id: string,
    action: CampaignAction,
    change: TransitionChange = {},
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const result = await manager
      .createQueryBuilder()
      .update(Campaign)
      .set({ state: targetState(action), stateReason: change.reason ?? null, ...change.columns })
      .where('id = :id', { id })
      .andWhere('state IN (:...from)', { from: allowedFrom(action) })
      .execute();
    if (result.affected !== 1) {
      const current = await this.finder.get(id, manager);
      throw new InvalidTransitionError('Campaign', current.state, action, allowedFrom(action));
    }
    await this.audit.record(
      {
        actor: change.actor ?? 'system',
        action: `campaign.${AUDIT_ACTIONS[action]}`,
        entityType: 'campaign',
        entityId: id,
        details: { ...(change.reason ? { reason: change.reason } : {}), ...change.details },
      },
      sqlFrom(manager),
    );
  }

  private firstOccurrence(campaign: Campaign, override: string | undefined): Date {
    if (override !== undefined) return parseScheduledAt(override, campaign.timezone);
    if (campaign.scheduledAt) return campaign.scheduledAt;
    if (campaign.cron) return nextOccurrence(campaign.cron, campaign.timezone, this.clock.now());
    throw new InvalidInputError(
      'scheduledAt',
      'the campaign has neither scheduledAt nor cron; set one, or use start to send now',
    );
  }

  /** schedule and start: check the forecast against the quota, store it, then transition. */
  private async launch(
    campaign: Campaign,
    action: 'schedule' | 'start',
    scheduledAt: Date,
    allowPartialOverride: boolean | undefined,
    actor: Actor,
  ): Promise<Campaign> {
    const allowPartial = allowPartialOverride ?? campaign.allowPartial;
    const forecast = await this.forecasts.forecast(campaign);
    if (!forecast.fits && !allowPartial) {
      throw new DomainError(
        'conflict',
        'campaign_quota_insufficient',
        `Campaign ${campaign.name} ${forecast.message}`,
        { forecast },
      );
    }
    await this.dataSource.transaction(async (manager) => {
      await this.transition(
        campaign.id,
        action,
        {
          actor,
          columns: { scheduledAt, forecast, allowPartial },
          details: { scheduledAt: scheduledAt.toISOString(), forecastTotal: forecast.total },
        },
        manager,
      );
      // A run already prepared for the old time now starts at the new one instead of a second run appearing.
      await manager.query(
        `UPDATE campaign_runs SET occurrence_at = $2 WHERE campaign_id = $1 AND state = 'preparing'`,
        [campaign.id, scheduledAt],
      );
    });
    return this.finder.get(campaign.id);
  }
}
