import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InvalidTransitionError } from '../common/errors/domain-error';
import { CampaignLifecycleService } from '../campaigns/lifecycle/campaign-lifecycle.service';

/**
 * The dispatcher's side of the campaign lifecycle: it never writes campaign state itself but asks
 * CampaignLifecycleService, resolved lazily so the campaigns and dispatch modules need not import
 * each other. Every call is idempotent: losing a race to another instance (409) is success.
 */
@Injectable()
export class CampaignStops {
  private readonly logger = new Logger(CampaignStops.name);
  private lifecycleService?: CampaignLifecycleService;

  constructor(private readonly moduleRef: ModuleRef) {}

  async pauseForQuota(campaignId: string): Promise<void> {
    await this.ignoringLostRace(() => this.lifecycle().pauseForQuota(campaignId));
    this.logger.warn({ campaignId }, 'campaign paused: the monthly Chat2Desk request quota is spent');
  }

  async failForCredentials(campaignId: string): Promise<void> {
    await this.ignoringLostRace(() => this.lifecycle().failForCredentials(campaignId));
    this.logger.error({ campaignId }, 'campaign failed: Chat2Desk rejected the credentials');
  }

  /** Whether any campaign waits for quota (only then is the account's mode worth re-reading). */
  anyPausedForQuota(): Promise<boolean> {
    return this.lifecycle().anyPausedForQuota();
  }

  /** Resumes every campaign paused for quota; returns their ids. */
  resumeQuotaPaused(): Promise<string[]> {
    return this.lifecycle().resumeQuotaPaused();
  }

  private lifecycle(): CampaignLifecycleService {
    this.lifecycleService ??= this.moduleRef.get(CampaignLifecycleService, { strict: false });
    return this.lifecycleService;
  }

  private async ignoringLostRace(change: () => Promise<unknown>): Promise<void> {
    try {
      await change();
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
    }
  }
}
