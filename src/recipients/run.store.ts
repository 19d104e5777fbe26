import { Injectable } from '@nestjs/common';
import { UNSENT_RECIPIENT_STATES } from '../common/domain';
import { Database } from '../database/database';
import type { Sql } from '../database/sql';

/** One occurrence of a campaign (a one-off campaign has one; a recurring one, one per cron tick). */
export type CampaignRunState = 'preparing' | 'running' | 'completed' | 'cancelled' | 'expired';

export interface RunRef {
  id: string;
  campaignId: string;
}

export interface LateRun extends RunRef {
  occurrenceAt: Date;
  expiresAfterMinutes: number;
}

export interface FinishedRun extends RunRef {
  occurrenceAt: Date;
}

export interface LatestRun extends RunRef {
  occurrenceAt: Date;
  state: CampaignRunState;
}

/** SQL condition: the campaign whose id is `campaignId` (a column) has a run sending now. */
export function runningRunExistsSql(campaignId: string): string {
  return `EXISTS (SELECT 1 FROM campaign_runs u WHERE u.campaign_id = ${campaignId} AND u.state = 'running')`;
}

/** SQL condition: the campaign `campaignId` has a run for the occurrence `occurrenceAt` (columns). */
export function runExistsSql(campaignId: string, occurrenceAt: string): string {
  return `EXISTS (SELECT 1 FROM campaign_runs r WHERE r.campaign_id = ${campaignId} AND r.occurrence_at = ${occurrenceAt})`;
}

/**
 * `campaign_runs`: creating a run per occurrence and moving it preparing → running → completed |
 * expired | cancelled. Every move is conditional on the state it leaves, so concurrent scheduler
 * ticks (on several instances) decide races in the database.
 */
@Injectable()
export class RunStore {
  constructor(private readonly database: Database) {}

  /**
   * The run of this occurrence, or null when it exists already: UNIQUE (campaign_id, occurrence_at)
   * makes a second tick, here or on another instance, wait for the first and then do nothing.
   */
  async create(
    campaignId: string,
    occurrenceAt: Date,
    messageText: string,
    now: Date,
    sql: Sql = this.database.sql,
  ): Promise<string | null> {
    const created = await sql<{ id: string }>(
      `WITH created AS (
         INSERT INTO campaign_runs (campaign_id, occurrence_at, message_text, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (campaign_id, occurrence_at) DO NOTHING RETURNING id)
       SELECT id FROM created`,
      [campaignId, occurrenceAt, messageText, now],
    );
    return created[0]?.id ?? null;
  }

  /** Active runs more than their campaign's expiresAfterMinutes past their occurrence. */
  late(now: Date): Promise<LateRun[]> {
    return this.database.sql<LateRun>(
      `SELECT r.id, r.campaign_id AS "campaignId", r.occurrence_at AS "occurrenceAt", c.expires_after_minutes AS "expiresAfterMinutes"
       FROM campaign_runs r JOIN campaigns c ON c.id = r.campaign_id
       WHERE r.state IN ('preparing', 'running') AND c.state IN ('scheduled', 'running', 'paused') AND c.expires_after_minutes IS NOT NULL
         AND r.occurrence_at + c.expires_after_minutes * interval '1 minute' < $1`,
      [now],
    );
  }

  /** Prepared runs of scheduled campaigns whose occurrence has come, earliest first. */
  dueToStart(now: Date): Promise<RunRef[]> {
    return this.database.sql<RunRef>(
      `SELECT r.id, r.campaign_id AS "campaignId" FROM campaign_runs r JOIN campaigns c ON c.id = r.campaign_id
       WHERE r.state = 'preparing' AND r.occurrence_at <= $1 AND c.state = 'scheduled'
       ORDER BY r.occurrence_at`,
      [now],
    );
  }

  /** preparing → running; false when another tick won. */
  async start(runId: string, now: Date, sql: Sql = this.database.sql): Promise<boolean> {
    const won = await sql(
      `WITH won AS (UPDATE campaign_runs SET state = 'running', started_at = $2 WHERE id = $1 AND state = 'preparing' RETURNING id) SELECT id FROM won`,
      [runId, now],
    );
    return won.length > 0;
  }

  /** Running runs of running or paused campaigns that have a send window. */
  runningWithSendWindow(): Promise<RunRef[]> {
    return this.database.sql<RunRef>(
      `SELECT r.id, r.campaign_id AS "campaignId" FROM campaign_runs r JOIN campaigns c ON c.id = r.campaign_id
       WHERE r.state = 'running' AND c.send_window IS NOT NULL AND c.state IN ('running', 'paused')`,
    );
  }

  /** Running runs (of running or paused campaigns) with no recipient left in the pipeline (pending … sending). */
  finishedRunning(): Promise<FinishedRun[]> {
    return this.database.sql<FinishedRun>(
      `SELECT r.id, r.campaign_id AS "campaignId", r.occurrence_at AS "occurrenceAt" FROM campaign_runs r JOIN campaigns c ON c.id = r.campaign_id
       WHERE r.state = 'running' AND c.state IN ('running', 'paused')
         AND NOT EXISTS (SELECT 1 FROM campaign_recipients x WHERE x.run_id = r.id AND x.state = ANY($1::text[]))`,
      [UNSENT_RECIPIENT_STATES],
    );
  }

  /** running → completed, only while nothing of the run is unsent; false when it was not. */
  async complete(runId: string, now: Date, sql: Sql = this.database.sql): Promise<boolean> {
    const finished = await sql(
      `WITH finished AS (
         UPDATE campaign_runs SET state = 'completed', finished_at = $2
         WHERE id = $1 AND state = 'running'
           AND NOT EXISTS (SELECT 1 FROM campaign_recipients x WHERE x.run_id = $1 AND x.state = ANY($3::text[]))
         RETURNING id)
       SELECT id FROM finished`,
      [runId, now, UNSENT_RECIPIENT_STATES],
    );
    return finished.length === 1;
  }

  /** preparing/running → expired; false when the run had ended already. */
  async expire(runId: string, now: Date, sql: Sql = this.database.sql): Promise<boolean> {
    const finished = await sql(
      `WITH finished AS (UPDATE campaign_runs SET state = 'expired', finished_at = $2 WHERE id = $1 AND state IN ('preparing', 'running') RETURNING id) SELECT id FROM finished`,
      [runId, now],
    );
    return finished.length === 1;
  }

  /** The latest run (by occurrence) of each of these campaigns. */
  latestByCampaign(campaignIds: string[]): Promise<LatestRun[]> {
    return this.database.sql<LatestRun>(
      `SELECT DISTINCT ON (campaign_id) campaign_id AS "campaignId", id, occurrence_at AS "occurrenceAt", state
       FROM campaign_runs WHERE campaign_id = ANY($1::uuid[]) ORDER BY campaign_id, occurrence_at DESC`,
      [campaignIds],
    );
  }

  /** The id of the campaign's latest run (by occurrence), if it ever ran. */
  async latestId(campaignId: string, sql: Sql = this.database.sql): Promise<string | undefined> {
    const runs = await sql<{ id: string }>(
      `SELECT id FROM campaign_runs WHERE campaign_id = $1 ORDER BY occurrence_at DESC LIMIT 1`,
      [campaignId],
    );
    return runs[0]?.id;
  }

  /** 'running' when a run sends now, 'preparing' when one waits for its time, else null. */
  async inProgress(
    campaignId: string,
    sql: Sql = this.database.sql,
  ): Promise<'running' | 'preparing' | null> {
    const rows = await sql<{ state: 'running' | 'preparing' }>(
      `SELECT state FROM campaign_runs WHERE campaign_id = $1 AND state IN ('running', 'preparing')
       ORDER BY (state = 'running') DESC LIMIT 1`,
      [campaignId],
    );
    return rows[0]?.state ?? null;
  }

  /** The campaign's preparing and running runs → cancelled. */
  async cancelActive(campaignId: string, now: Date, sql: Sql = this.database.sql): Promise<void> {
    await sql(
      `UPDATE campaign_runs SET state = 'cancelled', finished_at = $2 WHERE campaign_id = $1 AND state IN ('preparing', 'running')`,
      [campaignId, now],
    );
  }

  /** A run some of whose recipients get another attempt → running again. */
  async reopen(runId: string, sql: Sql = this.database.sql): Promise<void> {
    await sql(`UPDATE campaign_runs SET state = 'running', finished_at = NULL WHERE id = $1`, [runId]);
  }

  /** A run already prepared for the old time starts at the new one, instead of a second run appearing. */
  async moveOccurrence(campaignId: string, occurrenceAt: Date, sql: Sql = this.database.sql): Promise<void> {
    await sql(`UPDATE campaign_runs SET occurrence_at = $2 WHERE campaign_id = $1 AND state = 'preparing'`, [
      campaignId,
      occurrenceAt,
    ]);
  }
}
