import { Injectable } from '@nestjs/common';
import {
  CANCELLED_REASON,
  OPTED_OUT_REASON,
  WAITING_TO_SEND_STATES,
  type RecipientState,
} from '../common/domain';
import { Database } from '../database/database';
import { Sql, SqlParams } from '../database/sql';

/**
 * A SELECT of the recipients a run gets, one row per contact, with the columns contact_id, phone,
 * name, country, skip_reason (null = to be sent) and text, its parameters added to `params`.
 */
export type RecipientSource = (params: SqlParams) => string;

/** A send window as the deferral reads it: local times, and the timezone each recipient is in. */
export interface RecipientSendWindow {
  /** HH:MM; a window may cross midnight (22:00–06:00). */
  start: string;
  end: string;
  /** Timezone by ISO country of the recipient's phone; null reads the window in `defaultTimezone` for everyone. */
  countryTimezones: Readonly<Record<string, string>> | null;
  defaultTimezone: string;
}

export interface StateCount {
  campaignId: string;
  state: RecipientState;
  count: number;
}

export interface ProblemCount {
  state: string;
  reason: string;
  count: number;
}

/** Recipients of one run, in one state, that no actor will move. */
export interface StrandedRow {
  campaignId: string;
  campaignName: string;
  campaignState: string;
  campaignStateReason: string | null;
  runId: string;
  runState: string;
  recipientState: string;
  count: number;
}

/**
 * Which (run, campaign) pairs something still moves (invariant 11), $2 = the failure reasons a
 * person can fix and resume from:
 * - a running run of a running or paused campaign (the dispatcher; a person or the quota check resumes),
 *   or of one failed for a resumable reason;
 * - a preparing run of a scheduled campaign (the scheduler starts it), or of a resumable failed one.
 * Everything else — a completed, expired or cancelled run, a finished campaign — moves nobody.
 */
const MOVABLE = `(
  (u.state = 'running' AND (c.state IN ('running', 'paused') OR (c.state = 'failed' AND c.state_reason = ANY($2::text[]))))
  OR (u.state = 'preparing' AND (c.state = 'scheduled' OR (c.state = 'failed' AND c.state_reason = ANY($2::text[]))))
)`;

/**
 * `campaign_recipients` as the campaigns module changes it: a run's recipients created from its
 * contact list, deferred by send windows, expired, skipped on cancel, retried; counts and problem
 * summaries for the campaign views; and the consistency check for recipients nothing will move.
 * The dispatcher's claims and results are in RecipientQueue and PreparationQueue.
 */
@Injectable()
export class CampaignRecipientsStore {
  constructor(private readonly database: Database) {}

  /**
   * One recipient per source row in one INSERT … SELECT (the list never passes through memory):
   * `pending`, or `skipped` with the source's skip reason. Returns how many were inserted.
   */
  async insertFromSource(
    runId: string,
    campaignId: string,
    source: RecipientSource,
    now: Date,
    sql: Sql = this.database.sql,
  ): Promise<number> {
    const params = new SqlParams();
    const sourceSql = source(params);
    const at = params.add(now);
    const inserted = await sql<{ count: string }>(
      `WITH inserted AS (
         INSERT INTO campaign_recipients (run_id, campaign_id, contact_id, phone, name, country, text, state, reason, created_at, updated_at)
         SELECT ${params.add(runId)}::uuid, ${params.add(campaignId)}::uuid, src.contact_id, src.phone, src.name, src.country, src.text,
                CASE WHEN src.skip_reason IS NULL THEN 'pending' ELSE 'skipped' END, src.skip_reason, ${at}, ${at}
         FROM (${sourceSql}) src
         ON CONFLICT (run_id, phone) DO NOTHING
         RETURNING 1)
       SELECT count(*)::text AS count FROM inserted`,
      params.values,
    );
    return Number(inserted[0].count);
  }

  /**
   * Gives the run's recipients waiting to be sent, when `now` is outside the window in their
   * timezone, next_attempt_at = the window's next opening. Rows already deferred to the future are
   * left alone. Returns how many were deferred.
   */
  async deferOutsideWindow(
    runId: string,
    window: RecipientSendWindow,
    now: Date,
    sql: Sql = this.database.sql,
  ): Promise<number> {
    const params = new SqlParams();
    const at = params.add(now);
    const opening = nextWindowOpeningSql(window, at, params);
    const deferred = await sql<{ count: string }>(
      `WITH deferred AS (
         UPDATE campaign_recipients r SET next_attempt_at = w.opening, updated_at = ${at}
         FROM (SELECT r.id, ${opening} AS opening FROM campaign_recipients r
               WHERE r.run_id = ${params.add(runId)}::uuid AND r.state = ANY(${params.add(WAITING_TO_SEND_STATES)}::text[])
                 AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= ${at})) w
         WHERE r.id = w.id AND w.opening IS NOT NULL
         RETURNING 1)
       SELECT count(*)::text AS count FROM deferred`,
      params.values,
    );
    return Number(deferred[0].count);
  }

  /** The run's recipients waiting to be sent → expired; `sending` rows are left to the dispatcher. */
  async expireWaiting(
    runId: string,
    expiresAfterMinutes: number,
    now: Date,
    sql: Sql = this.database.sql,
  ): Promise<void> {
    await sql(
      `UPDATE campaign_recipients SET state = 'expired', reason = $2, next_attempt_at = NULL, updated_at = $3
       WHERE run_id = $1 AND state = ANY($4::text[])`,
      [
        runId,
        `expired: not sent within ${expiresAfterMinutes} minutes of the scheduled time`,
        now,
        WAITING_TO_SEND_STATES,
      ],
    );
  }

  /** The campaign's recipients waiting to be sent → skipped ("campaign cancelled"). */
  async skipWaitingOfCancelled(campaignId: string, now: Date, sql: Sql = this.database.sql): Promise<void> {
    await sql(
      `UPDATE campaign_recipients SET state = 'skipped', reason = $2, next_attempt_at = NULL, updated_at = $3
       WHERE campaign_id = $1 AND state = ANY($4::text[])`,
      [campaignId, CANCELLED_REASON, now, WAITING_TO_SEND_STATES],
    );
  }

  /**
   * Expiry and cancel leave `sending` rows to the dispatcher; one that comes back unsent (not found
   * by reconciliation → `ready` again) belongs to a run nobody claims from. It gets the end its run
   * had: `expired`, or `skipped` (campaign cancelled). Only runs ended in the last day are looked at
   * (a row is back within a lease or two); the consistency check reports anything older.
   */
  async settleLeftovers(now: Date): Promise<number> {
    const settled = await this.database.sql<{ count: number }>(
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

  /** Failed recipients of the run whose phone is in the register (or flagged in its list) → skipped, `opted out`. */
  async skipOptedOutFailures(
    runId: string,
    campaignId: string,
    now: Date,
    sql: Sql = this.database.sql,
  ): Promise<number> {
    const skipped = await sql<{ count: number }>(
      `WITH skipped AS (
         UPDATE campaign_recipients r SET state = 'skipped', reason = $3, next_attempt_at = NULL, updated_at = $4
         WHERE r.run_id = $1 AND r.campaign_id = $2 AND r.state = 'failed'
           AND (EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = r.phone)
                OR EXISTS (SELECT 1 FROM contacts c WHERE c.id = r.contact_id AND c.opted_out))
         RETURNING 1)
       SELECT count(*)::int AS count FROM skipped`,
      [runId, campaignId, OPTED_OUT_REASON, now],
    );
    return Number(skipped[0].count);
  }

  /**
   * Failed recipients of the run get another attempt: attempts reset, the last error kept
   * (last_error_*), a client already resolved goes straight to `ready`. Returns how many.
   */
  async resetFailures(
    runId: string,
    campaignId: string,
    now: Date,
    sql: Sql = this.database.sql,
  ): Promise<number> {
    const reset = await sql<{ count: string }>(
      `WITH reset AS (
         UPDATE campaign_recipients SET
           state = CASE WHEN chat2desk_client_id IS NULL THEN 'pending' ELSE 'ready' END,
           attempts = 0, reason = NULL, failed_at = NULL, next_attempt_at = NULL, attempt_id = NULL,
           attempt_started_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
           chat2desk_message_id = NULL, raw_status = NULL, sent_at = NULL, updated_at = $3
         WHERE run_id = $1 AND campaign_id = $2 AND state = 'failed' RETURNING 1)
       SELECT count(*)::text AS count FROM reset`,
      [runId, campaignId, now],
    );
    return Number(reset[0].count);
  }

  /** The countries of a run's recipients (ISO-2; null = unknown). */
  async countriesOfRun(runId: string): Promise<Array<string | null>> {
    const rows = await this.database.sql<{ country: string | null }>(
      `SELECT DISTINCT country FROM campaign_recipients WHERE run_id = $1`,
      [runId],
    );
    return rows.map((row) => row.country);
  }

  /** Recipients per campaign and state, for these campaigns (one grouped query for a page). */
  countsByCampaign(campaignIds: string[]): Promise<StateCount[]> {
    return this.database.sql<StateCount>(
      `SELECT campaign_id AS "campaignId", state, count(*)::int AS count FROM campaign_recipients WHERE campaign_id = ANY($1::uuid[]) GROUP BY campaign_id, state`,
      [campaignIds],
    );
  }

  /** Failed and skipped recipients grouped by reason, e.g. "client creation disabled" × 120, most first. */
  async problemSummary(campaignId: string): Promise<ProblemCount[]> {
    const rows = await this.database.sql<{ state: string; reason: string | null; count: number }>(
      `SELECT state, reason, count(*)::int AS count FROM campaign_recipients
       WHERE campaign_id = $1 AND state IN ('failed', 'skipped')
       GROUP BY state, reason ORDER BY count(*) DESC`,
      [campaignId],
    );
    return rows.map((row) => ({
      state: row.state,
      reason: row.reason ?? 'unknown',
      count: Number(row.count),
    }));
  }

  /**
   * Recipients waiting to be sent (pending, waiting_ready, ready) whose campaign and run no actor will
   * move, grouped by run and state, largest first. `sending` rows are not listed: the lease sweeper
   * always settles them. `resumableFailureReasons`: a campaign failed for one of these still moves.
   */
  async stranded(resumableFailureReasons: readonly string[]): Promise<StrandedRow[]> {
    // Runs first (few), then their waiting recipients through the (run_id, state) index: the cost
    // does not grow with the recipients of runs that are fine.
    const rows = await this.database.sql<StrandedRow>(
      `WITH unmovable AS (
         SELECT u.id, u.state AS run_state, c.id AS campaign_id, c.name, c.state, c.state_reason
         FROM campaign_runs u JOIN campaigns c ON c.id = u.campaign_id
         WHERE NOT ${MOVABLE}),
       stranded AS (
         SELECT m.campaign_id, m.name AS campaign_name, m.state AS campaign_state, m.state_reason AS campaign_state_reason,
                m.id AS run_id, m.run_state, r.state AS recipient_state
         FROM unmovable m JOIN campaign_recipients r ON r.run_id = m.id AND r.state = ANY($1::text[]))
       SELECT campaign_id AS "campaignId", campaign_name AS "campaignName", campaign_state AS "campaignState",
              campaign_state_reason AS "campaignStateReason", run_id::text AS "runId", run_state AS "runState",
              recipient_state AS "recipientState", count(*)::int AS count
       FROM stranded
       GROUP BY campaign_id, campaign_name, campaign_state, campaign_state_reason, run_id, run_state, recipient_state
       ORDER BY count(*) DESC, campaign_id, run_id, recipient_state`,
      [WAITING_TO_SEND_STATES, resumableFailureReasons],
    );
    return rows.map((row) => ({ ...row, count: Number(row.count) }));
  }
}

/**
 * SQL that, for a recipient row `r`, gives the next opening of the window when `now` is outside it,
 * and NULL when `now` is inside. Windows may cross midnight (22:00–06:00).
 */
function nextWindowOpeningSql(window: RecipientSendWindow, nowParam: string, params: SqlParams): string {
  const zone = window.countryTimezones
    ? `coalesce(${params.add(window.countryTimezones)}::jsonb ->> upper(r.country), ${params.add(window.defaultTimezone)}::text)`
    : `${params.add(window.defaultTimezone)}::text`;
  const start = `${params.add(window.start)}::time`;
  const end = `${params.add(window.end)}::time`;
  const local = `(${nowParam}::timestamptz AT TIME ZONE ${zone})`;
  const inside =
    window.start < window.end
      ? `(${local}::time >= ${start} AND ${local}::time < ${end})`
      : `(${local}::time >= ${start} OR ${local}::time < ${end})`;
  const openingToday = `(date_trunc('day', ${local}) + ${start})`;
  const nextOpening = `(CASE WHEN ${openingToday} > ${local} THEN ${openingToday} ELSE ${openingToday} + interval '1 day' END) AT TIME ZONE ${zone}`;
  return `(CASE WHEN ${inside} THEN NULL ELSE ${nextOpening} END)`;
}
