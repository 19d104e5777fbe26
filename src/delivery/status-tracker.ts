import { Inject, Injectable, Logger } from '@nestjs/common';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import { Chat2DeskError } from '../chat2desk/chat2desk.errors';
import { Message } from '../chat2desk/chat2desk.types';
import { Clock } from '../common/clock/clock';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { CheckSchedule, RecipientStatusStore } from '../recipients/recipient-status.store';
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

/**
 * Polls delivery statuses in batches: per channel, `GET /v1/messages?type=to_client&channel_id=…`
 * 200 per page, `start_id` from the oldest ready message, skipping id ranges with nothing ready.
 * Never one GET per message. Each fetched page settles every recipient it shows, ready or not.
 */
@Injectable()
export class StatusTracker {
  private readonly logger = new Logger(StatusTracker.name);

  constructor(
    private readonly statuses: RecipientStatusStore,
    private readonly client: Chat2DeskClient,
    private readonly recorder: StatusRecorder,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One tracking round over every channel; one instance at a time (advisory lock). */
  async pollOnce(): Promise<PollSummary> {
    return (
      (await this.statuses.withTrackerLock(() => this.trackAll())) ?? {
        channels: 0,
        requests: 0,
        transitions: 0,
        expired: 0,
        skipped: true,
      }
    );
  }

  private async trackAll(): Promise<PollSummary> {
    const now = this.clock.now();
    const summary: PollSummary = { channels: 0, requests: 0, transitions: 0, expired: 0 };
    summary.expired = await this.statuses.expireOverdue(now, this.config.tracking.deadlineHours);
    for (const channelId of await this.channelsDue(now)) {
      summary.channels += 1;
      try {
        await this.pollChannel(channelId, now, summary);
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

  private async channelsDue(now: Date): Promise<string[]> {
    const channels = await this.statuses.channelsWithReadyMessages(now, this.schedule());
    return channels
      .filter((channel) => channel.urgent || channel.ready >= MIN_READY_FOR_POLL)
      .map((channel) => channel.channelId);
  }

  /** Walks the ready messages of one channel in id order, one list page per gap-free run of ids. */
  private async pollChannel(channelId: string, now: Date, summary: PollSummary): Promise<void> {
    let afterId = 0;
    for (let pages = 0; pages < MAX_PAGES_PER_CHANNEL_TICK; pages += 1) {
      const next = await this.statuses.nextReadyMessage(channelId, afterId, now, this.schedule());
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
      await this.statuses.markChecked(channelId, next.messageId, lastId, now);
      if (lastId === null) return;
      afterId = lastId;
    }
  }

  private schedule(): CheckSchedule {
    const base = this.config.tracking.pollIntervalMs;
    const cap = Math.max(
      base,
      Math.min(MAX_CHECK_INTERVAL_MS, this.config.tracking.deadlineHours * 3600_000),
    );
    return { baseIntervalMs: base, maxIntervalMs: cap, urgentAfterIntervals: URGENT_AFTER_INTERVALS };
  }
}

function toObservation(message: Message): StatusObservation {
  return { messageId: message.id, rawStatus: message.recipient_status ?? null };
}
