import { Injectable } from '@nestjs/common';
import { CampaignState, RECIPIENT_STATES, RecipientState } from '../common/domain';
import { RequestLedger } from '../chat2desk/request-ledger';
import { RequestKind } from '../chat2desk/chat2desk.types';
import { Clock } from '../common/clock/clock';
import { NotFoundError } from '../common/errors/domain-error';
import {
  FailureReason,
  RecipientReportsStore,
  ReportedCampaign,
} from '../recipients/recipient-reports.store';
import { buildTimeline, TimelineBucket } from './timeline';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** States of recipients handed to Chat2Desk: the denominator of the delivery and read rates. */
const HANDED_OVER_STATES: readonly RecipientState[] = ['sent', 'delivered', 'read', 'failed', 'unknown'];
/** States whose `reason` says why someone did not get the message. */
const NOT_DELIVERED_STATES: readonly RecipientState[] = ['failed', 'unknown', 'skipped', 'expired'];

export interface CampaignReport {
  campaignId: string;
  name: string;
  state: CampaignState;
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

/** A campaign's delivery report, from its recipients, their status history and the request ledger. */
@Injectable()
export class CampaignReportService {
  constructor(
    private readonly recipients: RecipientReportsStore,
    private readonly ledger: RequestLedger,
    private readonly clock: Clock,
  ) {}

  /** The campaign or a NotFoundError; callers that stream check first, before any byte is written. */
  async campaign(campaignId: string): Promise<ReportedCampaign> {
    if (!UUID.test(campaignId)) throw new NotFoundError('Campaign', campaignId);
    const campaign = await this.recipients.campaign(campaignId);
    if (!campaign) throw new NotFoundError('Campaign', campaignId);
    return campaign;
  }

  async report(campaignId: string): Promise<CampaignReport> {
    const campaign = await this.campaign(campaignId);
    const [counts, failureReasons, timeline, optedOutAfterSend, byKind] = await Promise.all([
      this.countsByState(campaign.id),
      this.recipients.failureReasons(campaign.id, NOT_DELIVERED_STATES),
      this.recipients.timeline(campaign.id).then(buildTimeline),
      this.recipients.optedOutAfterSend(campaign.id),
      this.ledger.countsByKind(campaign.id),
    ]);
    const handedOver = HANDED_OVER_STATES.reduce((sum, state) => sum + counts[state], 0);
    const apiTotal = Object.values(byKind).reduce((sum, count) => sum + (count ?? 0), 0);
    const end = campaign.finishedAt ?? (campaign.startedAt ? this.clock.now() : null);
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
      quota: { used: apiTotal, forecast: campaign.forecastTotal },
      startedAt: campaign.startedAt?.toISOString() ?? null,
      finishedAt: campaign.finishedAt?.toISOString() ?? null,
      durationSeconds:
        campaign.startedAt && end
          ? Math.max(0, Math.round((end.getTime() - campaign.startedAt.getTime()) / 1000))
          : null,
    };
  }

  /** Every state, zero where no recipient is in it. */
  private async countsByState(campaignId: string): Promise<Record<RecipientState, number>> {
    const counts = Object.fromEntries(RECIPIENT_STATES.map((state) => [state, 0])) as Record<
      RecipientState,
      number
    >;
    for (const row of await this.recipients.countsByState(campaignId)) counts[row.state] = row.count;
    return counts;
  }
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}
