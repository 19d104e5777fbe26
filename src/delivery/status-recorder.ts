import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { StatusSource } from './recipient-status-event.entity';
import { failureReasonFor, normalizeRecipientStatus } from './status-normalizer';

/** One `recipient_status` seen for one Chat2Desk message, by a poll or a webhook. */
export interface StatusObservation {
  messageId: number;
  rawStatus: string | null;
}

/**
 * Applies observed statuses to recipients and writes each transition to recipient_status_events, in
 * one statement per batch. Transitions only move forward (sent → delivered → read, sent → failed; a
 * late status may still settle an `unknown`), and the `WHERE state` guard makes replays harmless.
 */
@Injectable()
export class StatusRecorder {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Returns how many recipients changed state. */
  async apply(observations: StatusObservation[], source: StatusSource, at: Date): Promise<number> {
    const known = observations.filter(
      (observation) => observation.rawStatus !== null && observation.rawStatus.trim() !== '',
    );
    if (known.length === 0) return 0;
    const outcomes = known.map((observation) => normalizeRecipientStatus(observation.rawStatus));
    const rows: Array<{ recipient_id: string }> = await this.dataSource.query(
      `WITH incoming AS (
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS i(message_id, raw_status, outcome, failure_reason)
       ),
       current AS (
         SELECT r.id, r.state AS from_state, i.raw_status, i.failure_reason,
                CASE
                  WHEN r.state IN ('sent', 'unknown') AND i.outcome IN ('delivered', 'read', 'failed') THEN i.outcome
                  WHEN r.state = 'delivered' AND i.outcome = 'read' THEN 'read'
                  ELSE r.state
                END AS to_state
         FROM campaign_recipients r JOIN incoming i ON r.chat2desk_message_id = i.message_id
         WHERE r.state IN ('sent', 'delivered', 'unknown')
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
        known.map((observation) => observation.messageId),
        known.map((observation) => observation.rawStatus),
        outcomes,
        known.map((observation) => failureReasonFor(observation.rawStatus!)),
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
    await this.dataSource.query(
      `UPDATE campaign_recipients r SET status_checked_at = $4
       FROM campaigns c
       WHERE c.id = r.campaign_id AND c.channel_id = $1 AND r.state = 'sent'
         AND r.chat2desk_message_id >= $2 AND ($3::bigint IS NULL OR r.chat2desk_message_id <= $3)`,
      [channelId, fromId, toId, at],
    );
  }

  /** Messages still in flight at the deadline become `unknown`, keeping their last raw status. */
  async expireOverdue(at: Date, deadlineHours: number): Promise<number> {
    const rows: Array<{ recipient_id: string }> = await this.dataSource.query(
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
}
