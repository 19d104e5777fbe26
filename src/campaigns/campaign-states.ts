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
