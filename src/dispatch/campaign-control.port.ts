/**
 * What dispatch needs from the campaign lifecycle, declared here and implemented by campaigns
 * (CampaignLifecycleService), so dispatch never imports campaigns. The composition root wires it:
 * `DispatchModule.forRoot({ imports: [CampaignsModule], campaignControl: CampaignLifecycleService })`.
 */
export interface CampaignControl {
  /** Pauses a campaign because the monthly Chat2Desk quota is spent (system actor). */
  pauseForQuota(campaignId: string): Promise<unknown>;
  /** Fails a campaign because Chat2Desk rejected the credentials (system actor). */
  failForCredentials(campaignId: string): Promise<unknown>;
  anyPausedForQuota(): Promise<boolean>;
  /** Resumes every campaign paused for quota; returns their ids. */
  resumeQuotaPaused(): Promise<string[]>;
}

export const CAMPAIGN_CONTROL = Symbol('CampaignControl');
