import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RECIPIENT_STATES, RecipientState } from '../common/domain';
import { RequestLedger } from '../chat2desk/request-ledger';
import { RequestKind } from '../chat2desk/chat2desk.types';
import { Clock } from '../common/clock/clock';
import { NotFoundError } from '../common/errors/domain-error';
import { buildTimeline, TimelineBucket, TimelineEventKind } from './timeline';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** States of recipients handed to Chat2Desk: the denominator of the delivery and read rates. */
const HANDED_OVER_STATES: readonly RecipientState[] = ['sent', 'delivered', 'read', 'failed', 'unknown'];
/** States whose `reason` says why someone did not get the message. */
const NOT_DELIVERED_STATES: readonly RecipientState[] = ['failed', 'unknown', 'skipped', 'expired'];

export interface FailureReason {
  state: RecipientState;
  reason: string;
  count: number;
}

export interface CampaignReport {
  campaignId: string;
  name: string;
  state: string;
  recipients: number;
  counts: Record<RecipientState, number>;
  /** (delivered + read) ÷ handed to Chat2Desk; null before anything was sent. */
  deliveryRate: number | null;
  /** read ÷ handed to Chat2Desk; null before anything was sent. */
  readRate: number | null;
  failureReasons: FailureReason[];
  /** Recipients who opted out (stop word, manual) after this campaign wrote to them. */
  optedOutAfterSend: number;
  timeline: TimelineBucket[];
  apiRequests: { total: number; byKind: Partial<Record<RequestKind, number>> };
  quota: { used: number; forecast: number | null };
  startedAt: string | null;
  finishedAt: string | null;
  /** Until finish, or until now while the campaign runs. */
  durationSeconds: number | null;
}

interface CampaignRow {
  id: string;
  name: string;
  state: string;
  forecast_total: number | null;
  started_at: Date | null;
  finished_at: Date | null;
}

/** A campaign's delivery report, from its recipients, their status history and the request ledger. */
@Injectable()
export class CampaignReportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: RequestLedger,
    private readonly clock: Clock,
  ) {}

  /** The campaign or a NotFoundError; callers that stream check first, before any byte is written. */
  async campaign(campaignId: string): Promise<CampaignRow> {
    if (!UUID.test(campaignId)) throw new NotFoundError('Campaign', campaignId);
    const [row]: CampaignRow[] = await this.dataSource.query(
      `SELECT id, name, state, (forecast->>'total')::int AS forecast_total, started_at, finished_at
       FROM campaigns WHERE id = $1`,
      [campaignId],
    );
    if (!row) throw new NotFoundError('Campaign', campaignId);
    return row;
  }

  async report(campaignId: string): Promise<CampaignReport> {
    const campaign = await this.campaign(campaignId);
    const [counts, failureReasons, timeline, optedOutAfterSend, byKind] = await Promise.all([
      this.countsByState(campaign.id),
      this.failureReasons(campaign.id),
      this.timeline(campaign.id),
      this.optedOutAfterSend(campaign.id),
      this.ledger.countsByKind(campaign.id),
    ]);
    const handedOver = HANDED_OVER_STATES.reduce((sum, state) => sum + counts[state], 0);
    const apiTotal = Object.values(byKind).reduce((sum, count) => sum + (count ?? 0), 0);
    const end = campaign.finished_at ?? (campaign.started_at ? this.clock.now() : null);
    return {
      campaignId: campaign.id,
      name: campaign.name,
      state: campaign.state,
      recipients: Object.values(counts).reduce((sum, count) => sum + count, 0),
      counts,
      deliveryRate: ratio(counts.delivered + counts.read, handedOver),
      readRate: ratio(counts.read, handedOver),
      failureReasons,
      optedOutAfterSend,
      timeline,
      apiRequests: { total: apiTotal, byKind },
      quota: { used: apiTotal, forecast: campaign.forecast_total },
      startedAt: campaign.started_at?.toISOString() ?? null,
      finishedAt: campaign.finished_at?.toISOString() ?? null,
      durationSeconds:
        campaign.started_at && end
          ? Math.max(0, Math.round((end.getTime() - campaign.started_at.getTime()) / 1000))
          : null,
    };
  }

  private async countsByState(campaignId: string): Promise<Record<RecipientState, number>> {
    const rows: Array<{ state: RecipientState; count: number }> = await this.dataSource.query(
      `SELECT state, count(*)::int AS count FROM campaign_recipients WHERE campaign_id = $1 GROUP BY state`,
      [campaignId],
    );
    const counts = Object.fromEntries(RECIPIENT_STATES.map((state) => [state, 0])) as Record<
      RecipientState,
      number
    >;
    for (const row of rows) counts[row.state] = row.count;
    return counts;
  }

  private failureReasons(campaignId: string): Promise<FailureReason[]> {
    return this.dataSource.query(
      `SELECT state, coalesce(reason, state) AS reason, count(*)::int AS count
       FROM campaign_recipients WHERE campaign_id = $1 AND state = ANY($2)
       GROUP BY state, coalesce(reason, state)
       ORDER BY count DESC, reason`,
      [campaignId, NOT_DELIVERED_STATES],
    );
  }

  private async timeline(campaignId: string): Promise<TimelineBucket[]> {
    const rows: Array<{ minute: Date; kind: TimelineEventKind; count: number }> = await this.dataSource.query(
      `SELECT date_trunc('minute', e.at) AS minute, e.kind, count(*)::int AS count
       FROM campaign_recipients r
       CROSS JOIN LATERAL (VALUES ('sent', r.sent_at), ('delivered', r.delivered_at), ('failed', r.failed_at)) AS e(kind, at)
       WHERE r.campaign_id = $1 AND e.at IS NOT NULL
       GROUP BY 1, 2`,
      [campaignId],
    );
    return buildTimeline(rows);
  }

  private async optedOutAfterSend(campaignId: string): Promise<number> {
    const [row]: Array<{ count: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM campaign_recipients r JOIN opt_outs o ON o.phone = r.phone
       WHERE r.campaign_id = $1 AND r.sent_at IS NOT NULL AND o.created_at >= r.sent_at`,
      [campaignId],
    );
    return row.count;
  }
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}
