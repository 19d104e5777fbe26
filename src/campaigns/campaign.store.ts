import { Injectable } from '@nestjs/common';
import type { CampaignState } from '../common/domain';
import { NotFoundError } from '../common/errors/domain-error';
import { Database } from '../database/database';
import { Sql, SqlParams } from '../database/sql';
import { runExistsSql, runningRunExistsSql } from '../recipients/run.store';
import type { Campaign, EditableCampaign, TransitionColumns } from './campaign.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every column, as the Campaign fields (bigints stay the strings pg returns, jsonb comes parsed). */
const CAMPAIGN_COLUMNS = `id, name, list_id AS "listId", contact_filter AS "contactFilter", text,
  template_id AS "templateId", transport, channel_id AS "channelId", state, state_reason AS "stateReason",
  scheduled_at AS "scheduledAt", timezone, cron, send_window AS "sendWindow",
  expires_after_minutes AS "expiresAfterMinutes", frequency_cap_hours AS "frequencyCapHours",
  allow_partial AS "allowPartial", forecast, created_at AS "createdAt", updated_at AS "updatedAt",
  started_at AS "startedAt", finished_at AS "finishedAt"`;

/** The columns writes set, and which of them are jsonb. */
const WRITABLE_COLUMNS: Record<keyof EditableCampaign | keyof TransitionColumns, string> = {
  name: 'name',
  listId: 'list_id',
  contactFilter: 'contact_filter',
  text: 'text',
  templateId: 'template_id',
  transport: 'transport',
  channelId: 'channel_id',
  scheduledAt: 'scheduled_at',
  timezone: 'timezone',
  cron: 'cron',
  sendWindow: 'send_window',
  expiresAfterMinutes: 'expires_after_minutes',
  frequencyCapHours: 'frequency_cap_hours',
  allowPartial: 'allow_partial',
  forecast: 'forecast',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};
const JSON_COLUMNS = new Set(['contact_filter', 'send_window', 'forecast']);

type WritableFields = Partial<EditableCampaign & TransitionColumns>;

export interface CampaignPage {
  items: Campaign[];
  total: number;
}

/**
 * `campaigns`: the definitions and their state. State changes are conditional updates
 * (`WHERE state = ANY(allowed)`), so of two racing writers exactly one wins.
 */
@Injectable()
export class CampaignStore {
  constructor(private readonly database: Database) {}

  /** The campaign, or NotFoundError (also for ids that are not UUIDs, rather than a SQL error). */
  async get(id: string, sql: Sql = this.database.sql): Promise<Campaign> {
    const rows = UUID.test(id)
      ? await sql<Campaign>(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1`, [id])
      : [];
    if (rows.length === 0) throw new NotFoundError('Campaign', id);
    return rows[0];
  }

  /** Newest first; `total` counts every campaign the filter matches. */
  async page(filter: { state?: CampaignState; limit: number; offset: number }): Promise<CampaignPage> {
    const where = filter.state ? `WHERE state = $1` : '';
    const stateParams = filter.state ? [filter.state] : [];
    const items = await this.database.sql<Campaign>(
      `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns ${where} ORDER BY created_at DESC, id ASC
       LIMIT $${stateParams.length + 1} OFFSET $${stateParams.length + 2}`,
      [...stateParams, filter.limit, filter.offset],
    );
    const [{ total }] = await this.database.sql<{ total: number }>(
      `SELECT count(*)::int AS total FROM campaigns ${where}`,
      stateParams,
    );
    return { items, total };
  }

  /** A new campaign in `draft`, created and updated now (the database's clock, as the columns' defaults). */
  async insertDraft(fields: EditableCampaign): Promise<Campaign> {
    const params = new SqlParams();
    const columns = writes(fields, params);
    const [created] = await this.database.sql<Campaign>(
      `WITH created AS (
         INSERT INTO campaigns (state, ${columns.map(([column]) => column).join(', ')})
         VALUES ('draft', ${columns.map(([, value]) => value).join(', ')})
         RETURNING *)
       SELECT ${CAMPAIGN_COLUMNS} FROM created`,
      params.values,
    );
    return created;
  }

  /** Writes the fields of a campaign still in `draft`; false when it is not (any more). */
  async updateDraft(id: string, fields: EditableCampaign): Promise<boolean> {
    const params = new SqlParams();
    const set = writes(fields, params).map(([column, value]) => `${column} = ${value}`);
    const updated = await this.database.sql(
      `WITH updated AS (
         UPDATE campaigns SET ${set.join(', ')}, updated_at = now()
         WHERE id = ${params.add(id)} AND state = 'draft' RETURNING id)
       SELECT id FROM updated`,
      params.values,
    );
    return updated.length === 1;
  }

  /** Deletes the campaign (its runs and recipients cascade) when it is in one of `states`. */
  async deleteIn(id: string, states: readonly CampaignState[]): Promise<boolean> {
    const deleted = await this.database.sql(
      `WITH deleted AS (DELETE FROM campaigns WHERE id = $1 AND state = ANY($2::text[]) RETURNING id) SELECT id FROM deleted`,
      [id, states],
    );
    return deleted.length === 1;
  }

  /**
   * Moves the campaign to `to` (with `reason` as state_reason and the other `columns`) when it is
   * in one of `from`; false when it is not.
   */
  async transition(
    id: string,
    from: readonly CampaignState[],
    to: CampaignState,
    reason: string | null,
    columns: TransitionColumns,
    sql: Sql = this.database.sql,
  ): Promise<boolean> {
    if (!UUID.test(id)) return false; // not a campaign id: the caller's get() answers 404, not a SQL error
    const params = new SqlParams();
    const set = [
      `state = ${params.add(to)}`,
      `state_reason = ${params.add(reason)}`,
      ...writes(columns, params).map(([column, value]) => `${column} = ${value}`),
    ];
    const moved = await sql(
      `WITH moved AS (
         UPDATE campaigns SET ${set.join(', ')}, updated_at = now()
         WHERE id = ${params.add(id)} AND state = ANY(${params.add(from)}::text[]) RETURNING id)
       SELECT id FROM moved`,
      params.values,
    );
    return moved.length === 1;
  }

  /** The next occurrence of a campaign still in `state` (no state change). */
  async setScheduledAt(
    id: string,
    state: CampaignState,
    scheduledAt: Date,
    sql: Sql = this.database.sql,
  ): Promise<void> {
    await sql(`UPDATE campaigns SET scheduled_at = $3, updated_at = now() WHERE id = $1 AND state = $2`, [
      id,
      state,
      scheduledAt,
    ]);
  }

  /**
   * Scheduled campaigns whose preparation time (occurrence − lead) has come and that have no run for
   * that occurrence yet; the lead is per transport (WhatsApp's new clients must wait).
   */
  dueForPreparation(now: Date, whatsappLeadMs: number, otherLeadMs: number): Promise<Campaign[]> {
    return this.database.sql<Campaign>(
      `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns c
       WHERE c.state = 'scheduled' AND c.scheduled_at IS NOT NULL
         AND c.scheduled_at <= $1::timestamptz + (CASE WHEN c.transport = 'whatsapp' THEN $2::int ELSE $3::int END) * interval '1 millisecond'
         AND NOT ${runExistsSql('c.id', 'c.scheduled_at')}`,
      [now, whatsappLeadMs, otherLeadMs],
    );
  }

  /**
   * Every campaign paused for quota resumes: `running`, or `scheduled` for a recurring one between
   * occurrences (no run in progress), which waits for its next one. Returns their ids.
   */
  async resumeQuotaPaused(now: Date): Promise<string[]> {
    const rows = await this.database.sql<{ id: string }>(
      `WITH resumed AS (
         UPDATE campaigns c SET state_reason = NULL, updated_at = $1,
           state = CASE WHEN c.cron IS NOT NULL AND NOT ${runningRunExistsSql('c.id')}
                        THEN 'scheduled' ELSE 'running' END
         WHERE c.state = 'paused' AND c.state_reason = 'quota' RETURNING c.id)
       SELECT id FROM resumed`,
      [now],
    );
    return rows.map((row) => row.id);
  }

  async anyPausedForQuota(): Promise<boolean> {
    const rows = await this.database.sql(
      `SELECT 1 FROM campaigns WHERE state = 'paused' AND state_reason = 'quota' LIMIT 1`,
    );
    return rows.length > 0;
  }

  // Reads of the contacts module's tables, here until the contacts store offers them.
}

/** [column, $n] per defined field; jsonb values are serialised (a null stays SQL NULL). */
function writes(fields: WritableFields, params: SqlParams): Array<[string, string]> {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => {
      const column = WRITABLE_COLUMNS[field as keyof WritableFields];
      return JSON_COLUMNS.has(column)
        ? [column, `${params.add(value === null ? null : JSON.stringify(value))}::jsonb`]
        : [column, params.add(value)];
    });
}
