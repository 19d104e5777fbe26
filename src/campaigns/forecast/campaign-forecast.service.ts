import { ClientReadiness } from '../../clients/client-readiness';
import { Injectable } from '@nestjs/common';
import { Chat2DeskClient } from '../../chat2desk/chat2desk.client';
import { QuotaService } from '../../chat2desk/quota.service';
import { Clock } from '../../common/clock/clock';
import { MIN_UNKNOWN_FOR_SYNC, planResolution } from '../../clients/client-resolution-strategy';
import type { Campaign } from '../campaign.types';
import { RecipientSourceStore } from '../runs/recipient-source.store';
import { TemplatesService } from '../templates/templates.service';
import { CampaignForecast, estimateRequests, QuotaSnapshot, RecipientEstimate } from './campaign-forecast';

@Injectable()
export class CampaignForecastService {
  constructor(
    private readonly sources: RecipientSourceStore,
    private readonly templates: TemplatesService,
    private readonly quota: QuotaService,
    private readonly chat2desk: Chat2DeskClient,
    private readonly clock: Clock,
    private readonly readiness: ClientReadiness,
  ) {}

  async forecast(campaign: Campaign): Promise<CampaignForecast> {
    const counts = await this.countRecipients(campaign);
    return estimateRequests(
      {
        ...counts,
        preparation: await this.preparationCost(campaign, counts.recipients - counts.knownClients),
      },
      await this.quotaSnapshot(),
      this.clock.now(),
    );
  }

  /** What the preparer will spend on the unknown phones: the same choice it makes (plus the size probe). */
  private async preparationCost(
    campaign: Campaign,
    unknownPhones: number,
  ): Promise<RecipientEstimate['preparation']> {
    const accountClients = unknownPhones >= MIN_UNKNOWN_FOR_SYNC ? await this.accountClients() : undefined;
    const delayMs = this.readiness.waitAfterCreationMs(campaign.transport);
    const startsAtMs = Math.max(campaign.scheduledAt?.getTime() ?? 0, this.clock.nowMs());
    const plan = planResolution({
      unknownPhones,
      accountClients,
      creationDisabled: false,
      directCreationKeepsSchedule: startsAtMs >= this.clock.nowMs() + delayMs,
    });
    return { lookups: plan.lookups + (accountClients === undefined ? 0 : 1), creations: plan.creations };
  }

  /** The account's client count (`meta.total` of a one-client page), as the preparer asks it. */
  private async accountClients(): Promise<number | undefined> {
    try {
      return (await this.chat2desk.clients({ limit: 1 }, { kind: 'lookup' })).meta.total;
    } catch {
      return undefined;
    }
  }

  /** Recipients that would be sent to now, how many of their phones already have a Chat2Desk client, and how many lack a variable. */
  private async countRecipients(campaign: Campaign): Promise<Omit<RecipientEstimate, 'preparation'>> {
    const spec = await this.sources.specOf(campaign, await this.templates.messageTextOf(campaign));
    return this.sources.counts(spec, campaign.channelId);
  }

  /** What is left this month; the first time, one api_info teaches the quota the account's mode. */
  private async quotaSnapshot(): Promise<QuotaSnapshot> {
    let status = await this.quota.status();
    if (status.mode === null && status.limit === null) {
      await this.quota.applyApiInfo(await this.chat2desk.apiInfoAsModeProbe());
      status = await this.quota.status();
    }
    return { remaining: status.remaining, limit: status.limit, reserve: status.reserve };
  }
}
