import { Inject, Injectable, Logger } from '@nestjs/common';
import { InvalidTransitionError } from '../common/errors/domain-error';
import { CAMPAIGN_CONTROL, CampaignControl } from './campaign-control.port';

/**
 * The dispatcher's side of the campaign lifecycle: it never writes campaign state itself but asks
 * campaigns through the CampaignControl port. Every call is idempotent: losing a race to another
 * instance (409) is success.
 */
@Injectable()
export class CampaignStops {
  private readonly logger = new Logger(CampaignStops.name);

  constructor(@Inject(CAMPAIGN_CONTROL) private readonly campaigns: CampaignControl) {}

  async pauseForQuota(campaignId: string): Promise<void> {
    await this.ignoringLostRace(() => this.campaigns.pauseForQuota(campaignId));
    this.logger.warn({ campaignId }, 'campaign paused: the monthly Chat2Desk request quota is spent');
  }

  async failForCredentials(campaignId: string): Promise<void> {
    await this.ignoringLostRace(() => this.campaigns.failForCredentials(campaignId));
    this.logger.error({ campaignId }, 'campaign failed: Chat2Desk rejected the credentials');
  }

  /** Whether any campaign waits for quota (only then is the account's mode worth re-reading). */
  anyPausedForQuota(): Promise<boolean> {
    return this.campaigns.anyPausedForQuota();
  }

  /** Resumes every campaign paused for quota; returns their ids. */
  resumeQuotaPaused(): Promise<string[]> {
    return this.campaigns.resumeQuotaPaused();
  }

  private async ignoringLostRace(change: () => Promise<unknown>): Promise<void> {
    try {
      await change();
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
    }
  }
}
