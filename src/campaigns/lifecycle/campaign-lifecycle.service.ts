import type { CampaignControl } from '../../dispatch/campaign-control.port';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import { Actor, SYSTEM_ACTOR } from '../../common/actor';
import { Clock } from '../../common/clock/clock';
import { DomainError, InvalidInputError, InvalidTransitionError } from '../../common/errors/domain-error';
import { Database } from '../../database/database';
import type { Sql } from '../../database/sql';
import { CampaignRecipientsStore } from '../../recipients/campaign-recipients.store';
import { RunStore } from '../../recipients/run.store';
import {
  allowedFrom,
  assertTransition,
  CampaignAction,
  isResumableFailure,
  targetState,
} from '../campaign-transitions';
import { CampaignStore } from '../campaign.store';
import type { Campaign, TransitionColumns } from '../campaign.types';
import { CampaignForecastService } from '../forecast/campaign-forecast.service';
import type { CampaignForecast } from '../forecast/campaign-forecast';
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
  columns?: TransitionColumns;
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
export class CampaignLifecycleService implements CampaignControl {
  constructor(
    private readonly database: Database,
    private readonly campaigns: CampaignStore,
    private readonly runs: RunStore,
    private readonly recipients: CampaignRecipientsStore,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly forecasts: CampaignForecastService,
  ) {}

  async schedule(id: string, options: ScheduleOptions, actor: Actor): Promise<Campaign> {
    const campaign = await this.campaigns.get(id);
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
    const campaign = await this.campaigns.get(id);
    assertTransition('start', campaign.state);
    return this.launch(campaign, 'start', this.clock.now(), options.allowPartial, actor);
  }

  async pause(id: string, actor: Actor, reason = 'user'): Promise<Campaign> {
    await this.transition(id, 'pause', { reason, actor });
    return this.campaigns.get(id);
  }

  /** The dispatcher: the month's quota is spent. resumeQuotaPaused() undoes it. */
  pauseForQuota(id: string): Promise<Campaign> {
    return this.pause(id, SYSTEM_ACTOR, 'quota');
  }

  /**
   * Paused, or failed for a reason a person fixed (the token): back to `running` when a run is in
   * progress (its recipients, released `ready` when it stopped, are claimed again), else to
   * `scheduled` (a recurring campaign whose occurrence ended while paused; a past next occurrence
   * moves to the next one after now).
   */
  async resume(id: string, actor: Actor): Promise<Campaign> {
    const campaign = await this.campaigns.get(id);
    if (campaign.state === 'failed' && !isResumableFailure(campaign.state, campaign.stateReason))
      throw new DomainError(
        'conflict',
        'campaign_not_resumable',
        `Campaign ${campaign.name} failed (${campaign.stateReason ?? 'no reason'}) and cannot be resumed; cancel it, or create it again`,
      );
    await this.database.transaction(async (sql) => {
      const run = await this.runs.inProgress(id, sql);
      // A one-off campaign without a run in progress has nothing to wait for: running, as before.
      if (run === 'running' || (run === null && !campaign.cron)) {
        await this.transition(id, 'resume', { actor, columns: { finishedAt: null } }, sql);
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
        sql,
      );
    });
    return this.campaigns.get(id);
  }

  /** The dispatcher, when quota is available again (month turned, limit raised): resumes every campaign paused for quota. */
  async resumeQuotaPaused(): Promise<string[]> {
    const ids = await this.campaigns.resumeQuotaPaused(this.clock.now());
    for (const id of ids)
      await this.audit.record({
        actor: SYSTEM_ACTOR,
        action: 'campaign.resumed',
        entityType: 'campaign',
        entityId: id,
        details: { after: 'quota' },
      });
    return ids;
  }

  anyPausedForQuota(): Promise<boolean> {
    return this.campaigns.anyPausedForQuota();
  }

  /**
   * Cancels the campaign (also a failed one) and its active runs; unsent recipients become `skipped`
   * ("campaign cancelled"). Rows in `sending` are left to the dispatcher, which reconciles them; one
   * that comes back unsent is skipped by the dispatcher or the scheduler's leftover sweep.
   */
  async cancel(id: string, actor: Actor): Promise<Campaign> {
    await this.database.transaction(async (sql) => {
      await this.transition(id, 'cancel', { actor, columns: { finishedAt: this.clock.now() } }, sql);
      await this.runs.cancelActive(id, this.clock.now(), sql);
      await this.recipients.skipWaitingOfCancelled(id, this.clock.now(), sql);
    });
    return this.campaigns.get(id);
  }

  /** Stops a campaign for a reason that needs a person (credentials revoked, channel gone…). */
  async fail(id: string, reason: string, actor: Actor = SYSTEM_ACTOR): Promise<Campaign> {
    await this.transition(id, 'fail', { reason, actor, columns: { finishedAt: this.clock.now() } });
    return this.campaigns.get(id);
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
    const outcome = await this.database.transaction(async (sql) => {
      const campaign = await this.campaigns.get(id, sql);
      assertTransition('retry-failed', campaign.state);
      const runId = await this.runs.latestId(id, sql);
      if (runId === undefined)
        throw new DomainError(
          'conflict',
          'campaign_nothing_to_retry',
          `Campaign ${id} has not run yet: nothing to retry`,
        );
      const skippedOptedOut = await this.recipients.skipOptedOutFailures(runId, id, this.clock.now(), sql);
      const retried = await this.recipients.resetFailures(runId, id, this.clock.now(), sql);
      if (retried === 0 && skippedOptedOut === 0)
        throw new DomainError(
          'conflict',
          'campaign_nothing_to_retry',
          `Campaign ${id} has no failed recipients to retry`,
        );
      if (retried === 0) return { retried, skippedOptedOut };
      await this.runs.reopen(runId, sql);
      await this.transition(
        id,
        'retry-failed',
        {
          actor,
          columns: { finishedAt: null },
          details: { retried, skippedOptedOut, runId },
        },
        sql,
      );
      return { retried, skippedOptedOut };
    });
    return { campaign: await this.campaigns.get(id), ...outcome };
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
    sql?: Sql,
  ): Promise<void> {
    const moved = await this.campaigns.transition(
      id,
      allowedFrom(action),
      targetState(action),
      change.reason ?? null,
      change.columns ?? {},
      sql,
    );
    if (!moved) {
      const current = await this.campaigns.get(id, sql);
      throw new InvalidTransitionError('Campaign', current.state, action, allowedFrom(action));
    }
    await this.audit.record(
      {
        actor: change.actor ?? SYSTEM_ACTOR,
        action: `campaign.${AUDIT_ACTIONS[action]}`,
        entityType: 'campaign',
        entityId: id,
        details: { ...(change.reason ? { reason: change.reason } : {}), ...change.details },
      },
      sql,
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
    assertSomeoneToSend(campaign, forecast);
    if (!forecast.fits && !allowPartial) {
      throw new DomainError(
        'conflict',
        'campaign_quota_insufficient',
        `Campaign ${campaign.name} ${forecast.message}`,
        { forecast },
      );
    }
    await this.database.transaction(async (sql) => {
      await this.transition(
        campaign.id,
        action,
        {
          actor,
          columns: { scheduledAt, forecast, allowPartial },
          details: { scheduledAt: scheduledAt.toISOString(), forecastTotal: forecast.total },
        },
        sql,
      );
      await this.runs.moveOccurrence(campaign.id, scheduledAt, sql);
    });
    return this.campaigns.get(campaign.id);
  }
}

/**
 * A launch that would send nothing is a mistake, not a campaign: refused before it can end as a
 * "completed" run where every recipient was skipped.
 */
function assertSomeoneToSend(campaign: Campaign, forecast: CampaignForecast): void {
  if (forecast.recipients > 0) return;
  if (forecast.missingVariables > 0)
    throw new DomainError(
      'conflict',
      'campaign_everyone_skipped',
      `Campaign ${campaign.name} would send nothing: all ${forecast.missingVariables} contacts lack a variable of the text; fix the text or the list (GET /api/campaigns/${campaign.id}/preview shows which)`,
      { forecast },
    );
  throw new DomainError(
    'conflict',
    'campaign_audience_empty',
    `Campaign ${campaign.name} would send nothing: its list has no contact to send to (empty, opted out or filtered out); import contacts or choose another list`,
    { forecast },
  );
}
