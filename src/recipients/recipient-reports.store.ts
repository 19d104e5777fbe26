import { Injectable } from '@nestjs/common';
import type { CampaignState, RecipientState } from '../common/domain';
import { Database } from '../database/database';

/** The campaign a report is about (the report's header). */
export interface ReportedCampaign {
  id: string;
  name: string;
  state: CampaignState;
  /** Requests the campaign's forecast expected, null before a forecast was made. */
  forecastTotal: number | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface StateCount {
  state: RecipientState;
  count: number;
}

export interface FailureReason {
  state: RecipientState;
  reason: string;
  count: number;
}

export type TimelineEventKind = 'sent' | 'delivered' | 'failed';

/** Events of one kind in one minute (`minute` truncated). */
export interface TimelineCount {
  minute: Date;
  kind: TimelineEventKind;
  count: number;
}

/** One recipient as reports, the recipients API and the CSV export show it (timestamps ISO 8601 UTC). */
export interface RecipientRow {
  id: string;
  phone: string;
  name: string | null;
  state: RecipientState;
  rawStatus: string | null;
  reason: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  failedAt: string | null;
}

export interface RecipientRowFilter {
  state?: RecipientState;
  reason?: string;
  limit: number;
  offset: number;
}

// `r.id` in ORDER BY: the output column `id` is text, and text order would break keyset paging.
const ROW_COLUMNS = `r.id::text AS id, phone, name, state, raw_status AS "rawStatus", reason,
  to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "sentAt",
  to_char(delivered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "deliveredAt",
  to_char(read_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "readAt",
  to_char(failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "failedAt"`;

/** Read-only views of recipients for reports, the recipients API, the CSV export and metrics. */
@Injectable()
export class RecipientReportsStore {
  constructor(private readonly database: Database) {}

  async campaign(campaignId: string): Promise<ReportedCampaign | undefined> {
    const [row] = await this.database.sql<ReportedCampaign>(
      `SELECT id, name, state, (forecast->>'total')::int AS "forecastTotal",
              started_at AS "startedAt", finished_at AS "finishedAt"
       FROM campaigns WHERE id = $1`,
      [campaignId],
    );
    return row;
  }

  /** Recipients per state (states without any are absent), of one campaign or of all. */
  countsByState(campaignId?: string): Promise<StateCount[]> {
    return campaignId === undefined
      ? this.database.sql<StateCount>(
          `SELECT state, count(*)::int AS count FROM campaign_recipients GROUP BY state`,
        )
      : this.database.sql<StateCount>(
          `SELECT state, count(*)::int AS count FROM campaign_recipients WHERE campaign_id = $1 GROUP BY state`,
          [campaignId],
        );
  }

  /** Recipients in `states` per reason (the state when none was recorded), most frequent first. */
  failureReasons(campaignId: string, states: readonly RecipientState[]): Promise<FailureReason[]> {
    return this.database.sql<FailureReason>(
      `SELECT state, coalesce(reason, state) AS reason, count(*)::int AS count
       FROM campaign_recipients WHERE campaign_id = $1 AND state = ANY($2)
       GROUP BY state, coalesce(reason, state)
       ORDER BY count DESC, reason`,
      [campaignId, states],
    );
  }

  /** Messages sent, delivered and failed per minute, in no particular order. */
  timeline(campaignId: string): Promise<TimelineCount[]> {
    return this.database.sql<TimelineCount>(
      `SELECT date_trunc('minute', e.at) AS minute, e.kind, count(*)::int AS count
       FROM campaign_recipients r
       CROSS JOIN LATERAL (VALUES ('sent', r.sent_at), ('delivered', r.delivered_at), ('failed', r.failed_at)) AS e(kind, at)
       WHERE r.campaign_id = $1 AND e.at IS NOT NULL
       GROUP BY 1, 2`,
      [campaignId],
    );
  }

  /** Recipients whose phone opted out after the campaign sent to it. */
  async optedOutAfterSend(campaignId: string): Promise<number> {
    const [row] = await this.database.sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM campaign_recipients r JOIN opt_outs o ON o.phone = r.phone
       WHERE r.campaign_id = $1 AND r.sent_at IS NOT NULL AND o.created_at >= r.sent_at`,
      [campaignId],
    );
    return row.count;
  }

  /** A filtered page in id order (the order recipients were added), and how many match. */
  async page(
    campaignId: string,
    filter: RecipientRowFilter,
  ): Promise<{ items: RecipientRow[]; total: number }> {
    const where = `campaign_id = $1 AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR reason = $3)`;
    const params = [campaignId, filter.state ?? null, filter.reason ?? null];
    const [items, [{ total }]] = await Promise.all([
      this.database.sql<RecipientRow>(
        `SELECT ${ROW_COLUMNS} FROM campaign_recipients r WHERE ${where} ORDER BY r.id LIMIT $4 OFFSET $5`,
        [...params, filter.limit, filter.offset],
      ),
      this.database.sql<{ total: number }>(
        `SELECT count(*)::int AS total FROM campaign_recipients WHERE ${where}`,
        params,
      ),
    ]);
    return { items, total };
  }

  /** The next `limit` recipients after id `afterId`, in id order: keyset paging for exports. */
  rowsAfter(campaignId: string, afterId: string, limit: number): Promise<RecipientRow[]> {
    return this.database.sql<RecipientRow>(
      `SELECT ${ROW_COLUMNS} FROM campaign_recipients r WHERE campaign_id = $1 AND r.id > $2 ORDER BY r.id LIMIT $3`,
      [campaignId, afterId, limit],
    );
  }
}
