import { Injectable } from '@nestjs/common';
import type { RecipientState } from '../common/domain';
import { Database } from '../database/database';

/** Who moved a recipient: the list poll, a Chat2Desk webhook, or the tracking deadline. */
export type StatusSource = 'poll' | 'webhook' | 'deadline';

/** One `recipient_status` seen for one Chat2Desk message, already normalized by delivery. */
export interface ObservedStatus {
  messageId: number;
  rawStatus: string;
  /** Where the raw status puts the recipient (`sent` = still in flight). */
  outcome: RecipientState;
  /** The reason recorded if the outcome is `failed`. */
  failureReason: string;
}

/** How often an in-flight message is worth a look (delivery's tracking policy). */
export interface CheckSchedule {
  /** First look this long after sending; the interval then doubles with the message's age. */
  baseIntervalMs: number;
  /** The interval stops growing here. */
  maxIntervalMs: number;
  /** A ready message is urgent this many of its intervals later. */
  urgentAfterIntervals: number;
}

/** A channel with in-flight messages ready for a look. */
export interface ChannelDue {
  channelId: string;
  ready: number;
  urgent: boolean;
}

/**
 * When an in-flight message is next worth a look: its check interval doubles with its age (first
 * look `base` after sending, then 2×, 4×… capped), so fresh sends are polled often and stragglers
 * cost little. A message is *ready* at `checked_at + interval`. `$1` = base interval, `$2` = cap,
 * `$3` = now.
 */
const IN_FLIGHT_SQL = `
  SELECT r.campaign_id, c.channel_id, r.chat2desk_message_id AS message_id, k.checked_at,
         least(greatest(k.checked_at - coalesce(r.sent_at, k.checked_at), $1::interval), $2::interval) AS wait
  FROM campaign_recipients r
  JOIN campaigns c ON c.id = r.campaign_id
  CROSS JOIN LATERAL (SELECT coalesce(r.status_checked_at, r.sent_at, r.updated_at) AS checked_at) k
  WHERE r.state = 'sent' AND r.chat2desk_message_id IS NOT NULL`;

/**
 * Delivery statuses of recipients handed to Chat2Desk: which messages to poll, status changes with
 * their `recipient_status_events`, the tracking deadline, and the webhook's lookups.
 */
@Injectable()
export class RecipientStatusStore {
  constructor(private readonly database: Database) {}

  /**
   * Applies statuses to the recipients holding their messages and writes each transition to
   * recipient_status_events, in one statement. A status never moves a recipient backwards: the
   * order is sent (pending, queued…) < delivered < read; `failed` only settles a message still in
   * flight (`sent`); a late delivered / read / failed may still settle an `unknown`. A status
   * behind the recipient's (a replayed or forged `sent` for a delivered message, `delivered` for a
   * read one, `failed` after delivery) is ignored whole — state, raw_status, times and check time
   * stay as they were — so replays are harmless. Returns how many recipients changed state.
   */
  async recordStatuses(statuses: ObservedStatus[], source: StatusSource, at: Date): Promise<number> {
    if (statuses.length === 0) return 0;
    const rows = await this.database.sql<{ recipient_id: string }>(
      `WITH incoming AS (
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS i(message_id, raw_status, outcome, failure_reason)
       ),
       current AS (
         SELECT r.id, r.state AS from_state, i.raw_status, i.failure_reason,
                CASE WHEN i.outcome = 'sent' THEN r.state ELSE i.outcome END AS to_state
         FROM campaign_recipients r JOIN incoming i ON r.chat2desk_message_id = i.message_id
         -- Only statuses at or ahead of the recipient's: older ones are ignored, not recorded.
         WHERE r.state = 'sent'
            OR (r.state = 'unknown' AND i.outcome IN ('delivered', 'read', 'failed'))
            OR (r.state = 'delivered' AND i.outcome IN ('delivered', 'read'))
         FOR UPDATE OF r
       ),
       changed AS (
         UPDATE campaign_recipients r SET
           state = c.to_state,
           raw_status = c.raw_status,
           status_checked_at = $5,
           delivered_at = CASE WHEN c.to_state IN ('delivered', 'read') THEN coalesce(r.delivered_at, $5) ELSE r.delivered_at END,
           read_at = CASE WHEN c.to_state = 'read' THEN coalesce(r.read_at, $5) ELSE r.read_at END,
           failed_at = CASE WHEN c.to_state = 'failed' THEN $5 ELSE r.failed_at END,
           reason = CASE WHEN c.to_state = 'failed' THEN c.failure_reason WHEN c.to_state <> c.from_state THEN NULL ELSE r.reason END,
           updated_at = now()
         FROM current c
         WHERE r.id = c.id AND (c.to_state <> c.from_state OR r.raw_status IS DISTINCT FROM c.raw_status)
         RETURNING r.id, r.campaign_id, c.from_state, c.to_state, c.raw_status
       )
       INSERT INTO recipient_status_events (recipient_id, campaign_id, at, from_state, to_state, raw_status, source)
       SELECT id, campaign_id, $5, from_state, to_state, raw_status, $6 FROM changed WHERE from_state <> to_state
       RETURNING recipient_id`,
      [
        statuses.map((status) => status.messageId),
        statuses.map((status) => status.rawStatus),
        statuses.map((status) => status.outcome),
        statuses.map((status) => status.failureReason),
        at,
        source,
      ],
    );
    return rows.length;
  }

  /**
   * In-flight messages of a channel whose ids a poll page covered (`toId` null = everything from
   * `fromId` on) were checked now, found or not: their next check backs off from here.
   */
  async markChecked(channelId: string, fromId: number, toId: number | null, at: Date): Promise<void> {
    await this.database.sql(
      `UPDATE campaign_recipients r SET status_checked_at = $4
       FROM campaigns c
       WHERE c.id = r.campaign_id AND c.channel_id = $1 AND r.state = 'sent'
         AND r.chat2desk_message_id >= $2 AND ($3::bigint IS NULL OR r.chat2desk_message_id <= $3)`,
      [channelId, fromId, toId, at],
    );
  }

  /** Messages still in flight at the deadline become `unknown`, keeping their last raw status. */
  async expireOverdue(at: Date, deadlineHours: number): Promise<number> {
    const rows = await this.database.sql<{ recipient_id: string }>(
      `WITH expired AS (
         UPDATE campaign_recipients r SET
           state = 'unknown',
           reason = 'no final delivery status within ' || $2::int || ' h' || coalesce(' (last status: ' || r.raw_status || ')', ''),
           updated_at = now()
         WHERE r.state = 'sent' AND r.sent_at < $1::timestamptz - make_interval(hours => $2::int)
         RETURNING r.id, r.campaign_id, r.raw_status
       )
       INSERT INTO recipient_status_events (recipient_id, campaign_id, at, from_state, to_state, raw_status, source)
       SELECT id, campaign_id, $1, 'sent', 'unknown', raw_status, 'deadline' FROM expired
       RETURNING recipient_id`,
      [at, deadlineHours],
    );
    return rows.length;
  }

  /** Channels with messages ready for a look now, with how many are ready and whether one is urgent. */
  async channelsWithReadyMessages(now: Date, schedule: CheckSchedule): Promise<ChannelDue[]> {
    return this.database.sql<ChannelDue>(
      `SELECT f.channel_id::text AS "channelId", count(*)::int AS ready,
              bool_or(f.checked_at + $4::int * f.wait <= $3) AS urgent
       FROM (${IN_FLIGHT_SQL}) f
       WHERE f.checked_at + f.wait <= $3
       GROUP BY f.channel_id
       ORDER BY f.channel_id`,
      [...scheduleParams(now, schedule), schedule.urgentAfterIntervals],
    );
  }

  /** The lowest-id message of the channel above `afterId` that is ready for a look now. */
  async nextReadyMessage(
    channelId: string,
    afterId: number,
    now: Date,
    schedule: CheckSchedule,
  ): Promise<{ messageId: number; campaignId: string } | undefined> {
    const [row] = await this.database.sql<{ message_id: string; campaign_id: string }>(
      `SELECT f.message_id, f.campaign_id
       FROM (${IN_FLIGHT_SQL} AND c.channel_id = $4 AND r.chat2desk_message_id > $5) f
       WHERE f.checked_at + f.wait <= $3
       ORDER BY f.message_id
       LIMIT 1`,
      [...scheduleParams(now, schedule), channelId, afterId],
    );
    return row ? { messageId: Number(row.message_id), campaignId: row.campaign_id } : undefined;
  }

  /** Messages still in flight (`sent`), of one campaign or all. */
  async countInFlight(campaignId?: string): Promise<number> {
    const [row] = await this.database.sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM campaign_recipients WHERE state = 'sent' AND ($1::uuid IS NULL OR campaign_id = $1)`,
      [campaignId ?? null],
    );
    return row.count;
  }

  /** Recipients handed to Chat2Desk (holding a message id), of one campaign or all. */
  async countTracked(campaignId?: string): Promise<number> {
    const [row] = await this.database.sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM campaign_recipients WHERE chat2desk_message_id IS NOT NULL AND ($1::uuid IS NULL OR campaign_id = $1)`,
      [campaignId ?? null],
    );
    return row.count;
  }

  /** The phone of a Chat2Desk client, from the client cache or the recipients that were sent to it. */
  async phoneOfClient(clientId: number): Promise<string | null> {
    const [row] = await this.database.sql<{ phone: string }>(
      `SELECT phone FROM chat2desk_clients WHERE client_id = $1
       UNION ALL
       SELECT phone FROM campaign_recipients WHERE chat2desk_client_id = $1
       LIMIT 1`,
      [clientId],
    );
    return row?.phone ?? null;
  }
}

function scheduleParams(now: Date, schedule: CheckSchedule): [string, string, Date] {
  return [`${schedule.baseIntervalMs} milliseconds`, `${schedule.maxIntervalMs} milliseconds`, now];
}
