/**
 * The domain vocabulary every layer shares: transports, campaign and recipient states, and the
 * reasons recorded on recipients. Nothing here imports anything.
 */

/** Campaign lifecycle; the allowed transitions are CAMPAIGN_TRANSITIONS (campaign-transitions.ts), applied by CampaignLifecycleService. */
export const CAMPAIGN_STATES = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
  'failed',
] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/**
 * One row per recipient of a run: pending → waiting_ready → ready → sending → sent → delivered | read |
 * failed | unknown; side exits skipped and expired. A pending recipient's phone is resolved in
 * `client_resolutions` (phones, not recipients, are prepared); docs/architecture.md has the machine.
 */
export const RECIPIENT_STATES = [
  'pending',
  'waiting_ready',
  'ready',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'unknown',
  'skipped',
  'expired',
] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

/** Recipient states still in the dispatch pipeline (not yet handed to Chat2Desk). */
export const UNSENT_RECIPIENT_STATES: readonly RecipientState[] = [
  'pending',
  'waiting_ready',
  'ready',
  'sending',
];

/** Unsent states that cancel, expiry and send windows may change; `sending` belongs to the dispatcher. */
export const WAITING_TO_SEND_STATES: readonly RecipientState[] = ['pending', 'waiting_ready', 'ready'];

export const TRANSPORTS = ['whatsapp', 'viber', 'telegram', 'sms'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Reasons a recipient is skipped or stopped, shown in reports and the recipients API. */
export const OPTED_OUT_REASON = 'opted out';
export const NOT_MOBILE_REASON = 'not a mobile number';
export const CANCELLED_REASON = 'campaign cancelled';
/** Skipped at the last moment: the phone got a campaign message within the campaign's frequency cap. */
export const FREQUENCY_CAP_REASON = 'frequency cap';
