import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import { Chat2DeskError } from '../chat2desk/chat2desk.errors';
import { Message } from '../chat2desk/chat2desk.types';
import { Clock } from '../common/clock/clock';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { StatusObservation, StatusRecorder } from './status-recorder';

/** `GET /v1/messages` answers at most 200 per page. */
export const STATUS_PAGE_SIZE = 200;
/** The back-off stops growing here, so a slow message is still looked at a few times a day. */
const MAX_CHECK_INTERVAL_MS = 6 * 3600_000;
/** Bounds the work (and the requests) one channel may take in one tick; the rest waits for the next. */
const MAX_PAGES_PER_CHANNEL_TICK = 50;
/** The tracking budget (issue 5): at most 0.02 list requests per message on average. */
export const TARGET_REQUESTS_PER_MESSAGE = 0.02;
/**
 * A channel is polled when enough messages are ready for one request to stay within the budget
 * (1 ÷ 0.02 = 50), or when one of them has waited URGENT_AFTER_INTERVALS of its intervals: slow
 * sends batch up instead of costing a request for a handful of messages.
 */
const MIN_READY_FOR_POLL = Math.ceil(1 / TARGET_REQUESTS_PER_MESSAGE);
const URGENT_AFTER_INTERVALS = 4;
/** Any value will do as long as no other advisory lock in the app uses it. */
const TRACKER_LOCK_KEY = 7_245_001;

export interface PollSummary {
  /** Channels polled this tick. */
  channels: number;
  /** List requests made. */
  requests: number;
  transitions: number;
  /** Recipients moved to `unknown` by the deadline. */
  expired: number;
  /** Set when Chat2Desk refused a request (quota, rate limit, outage): the tick stopped there. */
  stoppedBy?: string;
  /** Another instance held the tracker lock: this tick did nothing. */
  skipped?: boolean;
}

interface ChannelDue {
  channel_id: string;
  ready: number;
  urgent: boolean;
}

/**
 * When an in-flight message is next worth a look: its check interval doubles with its age (first
 * look `base` after sending, then 2×, 4×… capped), so fresh sends are polled often and stragglers
 * cost little. A message is *ready* at `checked_at + interval` and *urgent* URGENT_AFTER_INTERVALS
 * intervals later. `$1` = base interval, `$2` = cap, `$3` = now.
 */
const IN_FLIGHT_SQL = `
  SELECT r.campaign_id, c.channel_id, r.chat2desk_message_id AS message_id, k.checked_at,
         least(greatest(k.checked_at - coalesce(r.sent_at, k.checked_at), $1::interval), $2::interval) AS wait
  FROM campaign_recipients r
  JOIN campaigns c ON c.id = r.campaign_id
  CROSS JOIN LATERAL (SELECT coalesce(r.status_checked_at, r.sent_at, r.updated_at) AS checked_at) k
  WHERE r.state = 'sent' AND r.chat2desk_message_id IS NOT NULL`;

/**
 * Polls delivery statuses in batches: per channel, `GET /v1/messages?type=to_client&channel_id=…`
 * 200 per page, `start_id` from the oldest ready message, skipping id ranges with nothing ready.
 * Never one GET per message. Each fetched page settles every recipient it shows, ready or not.
 */
@Injectable()
export class StatusTracker {
  private readonly logger = new Logger(StatusTracker.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly client: Chat2DeskClient,
    private readonly recorder: StatusRecorder,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One tracking round over every channel; one instance at a time (advisory lock). */
  async pollOnce(): Promise<PollSummary> {
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }] = await lock.query(`SELECT pg_try_advisory_lock($1) AS locked`, [TRACKER_LOCK_KEY]);
      if (!locked) return { channels: 0, requests: 0, transitions: 0, expired: 0, skipped: true };
      try {
        return await this.trackAll();
      } finally {
        await lock.query(`SELECT pg_advisory_unlock($1)`, [TRACKER_LOCK_KEY]);
      }
    } finally {
      await lock.release();
    }
  }

  private async trackAll(): Promise<PollSummary> {
    const now = this.clock.now();
    const summary: PollSummary = { channels: 0, requests: 0, transitions: 0, expired: 0 };
    summary.expired = await this.recorder.expireOverdue(now, this.config.tracking.deadlineHours);
    for (const channel of await this.channelsDue(now)) {
      summary.channels += 1;
      try {
        await this.pollChannel(channel.channel_id, now, summary);
      } catch (error) {
        if (!(error instanceof Chat2DeskError)) throw error;
        // Quota, rate limit or outage: the statuses wait for a later tick; nothing is lost.
        this.logger.warn(`Status polling stopped: ${error.message}`);
        summary.stoppedBy = error.code;
        break;
      }
    }
    return summary;
  }

  private async channelsDue(now: Date): Promise<ChannelDue[]> {
    const rows: ChannelDue[] = await this.dataSource.query(
      `SELECT f.channel_id::text AS channel_id, count(*)::int AS ready, bool_or(f.checked_at + ${URGENT_AFTER_INTERVALS} * f.wait <= $3) AS urgent
       FROM (${IN_FLIGHT_SQL}) f
       WHERE f.checked_at + f.wait <= $3
       GROUP BY f.channel_id
       ORDER BY f.channel_id`,
      this.scheduleParams(now),
    );
    return rows.filter((row) => row.urgent || row.ready >= MIN_READY_FOR_POLL);
  }

  /** Walks the ready messages of one channel in id order, one list page per gap-free run of ids. */
  private async pollChannel(channelId: string, now: Date, summary: PollSummary): Promise<void> {
    let afterId = 0;
    for (let pages = 0; pages < MAX_PAGES_PER_CHANNEL_TICK; pages += 1) {
      const next = await this.nextReady(channelId, afterId, now);
      if (!next) return;
      const page = await this.client.messages(
        {
          type: 'to_client',
          channelId: Number(channelId),
          startId: next.messageId,
          order: 'asc',
          limit: STATUS_PAGE_SIZE,
        },
        // A page serves every campaign on the channel; it is counted for the one that needed it first.
        { campaignId: next.campaignId, kind: 'status_poll' },
      );
      summary.requests += 1;
      summary.transitions += await this.recorder.apply(page.data.map(toObservation), 'poll', now);
      const lastId =
        page.data.length >= STATUS_PAGE_SIZE ? Math.max(...page.data.map((message) => message.id)) : null;
      await this.recorder.markChecked(channelId, next.messageId, lastId, now);
      if (lastId === null) return;
      afterId = lastId;
    }
  }

  private async nextReady(
    channelId: string,
    afterId: number,
    now: Date,
  ): Promise<{ messageId: number; campaignId: string } | undefined> {
    const [row]: Array<{ message_id: string; campaign_id: string }> = await this.dataSource.query(
      `SELECT f.message_id, f.campaign_id
       FROM (${IN_FLIGHT_SQL} AND c.channel_id = $4 AND r.chat2desk_message_id > $5) f
       WHERE f.checked_at + f.wait <= $3
       ORDER BY f.message_id
       LIMIT 1`,
      [...this.scheduleParams(now), channelId, afterId],
    );
    return row ? { messageId: Number(row.message_id), campaignId: row.campaign_id } : undefined;
  }

  private scheduleParams(now: Date): [string, string, Date] {
    const base = this.config.tracking.pollIntervalMs;
    const cap = Math.max(
      base,
      Math.min(MAX_CHECK_INTERVAL_MS, this.config.tracking.deadlineHours * 3600_000),
    );
    return [`${base} milliseconds`, `${cap} milliseconds`, now];
  }
}

function toObservation(message: Message): StatusObservation {
  return { messageId: message.id, rawStatus: message.recipient_status ?? null };
}
