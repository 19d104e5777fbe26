import type { RecipientState } from '../common/domain';

/** Where a raw Chat2Desk `recipient_status` puts a recipient; `sent` means "still in flight". */
export type DeliveryOutcome = Extract<RecipientState, 'sent' | 'delivered' | 'read' | 'failed'>;

// The vendor does not document the values (NOTES.md): these are the ones seen in clients and comments.
const OUTCOME_BY_RAW: Record<string, DeliveryOutcome> = {
  sent: 'sent',
  pending: 'sent',
  queued: 'sent',
  accepted: 'sent',
  delivered: 'delivered',
  read: 'read',
  seen: 'read',
  viewed: 'read',
  failed: 'failed',
  'not delivered': 'failed',
  undelivered: 'failed',
  error: 'failed',
  rejected: 'failed',
  blocked: 'failed',
  expired: 'failed',
};

/**
 * Maps a raw status to a delivery outcome, case- and separator-insensitively (`Not_Delivered`,
 * `not-delivered`). Unknown or missing values stay in flight: the deadline decides them.
 */
export function normalizeRecipientStatus(raw: string | null | undefined): DeliveryOutcome {
  if (raw === null || raw === undefined) return 'sent';
  const key = raw.trim().toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');
  return OUTCOME_BY_RAW[key] ?? 'sent';
}

/** The reason a marketer reads for a failed recipient. */
export function failureReasonFor(raw: string): string {
  return `Chat2Desk: ${raw.trim()}`;
}
