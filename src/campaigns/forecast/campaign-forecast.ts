/** Requests a campaign is expected to spend, against what the account has left this month. */
export interface CampaignForecast {
  /** Recipients that will be sent to (skipped ones excluded). */
  recipients: number;
  /** Of those, phones already in the Chat2Desk client cache for this transport and channel. */
  knownClients: number;
  /** Contacts that would be skipped for a missing template variable (examples: GET …/preview). */
  missingVariables: number;
  lookups: number;
  creations: number;
  sends: number;
  statusPolls: number;
  total: number;
  quota: QuotaSnapshot;
  fits: boolean;
  message: string;
  computedAt: string;
}

export interface QuotaSnapshot {
  /** Requests campaigns may still spend this month (reserve already kept back); null = unlimited. */
  remaining: number | null;
  limit: number | null;
  reserve: number;
}

/** Messages whose status one `GET /v1/messages` page covers. */
export const STATUS_POLL_PAGE = 200;
/** Polls of each page until statuses settle: 4 rounds × 1/200 = 0.02 requests per message. */
export const STATUS_POLL_ROUNDS = 4;

/**
 * Who the campaign reaches, and what preparing their phones will cost: the preparer's own choice
 * (lookups per phone, direct creations, or a sync's pages; client-resolution-strategy.ts).
 */
export interface RecipientEstimate {
  recipients: number;
  knownClients: number;
  missingVariables: number;
  preparation: { lookups: number; creations: number };
}

export function estimateRequests(
  { recipients, knownClients, missingVariables, preparation }: RecipientEstimate,
  quota: QuotaSnapshot,
  now: Date,
): CampaignForecast {
  const { lookups, creations } = preparation;
  const sends = recipients;
  const statusPolls = Math.ceil(sends / STATUS_POLL_PAGE) * STATUS_POLL_ROUNDS;
  const total = lookups + creations + sends + statusPolls;
  const fits = quota.remaining === null || total <= quota.remaining;
  return {
    recipients,
    knownClients,
    missingVariables,
    lookups,
    creations,
    sends,
    statusPolls,
    total,
    quota,
    fits,
    message: forecastMessage(total, quota, fits),
    computedAt: now.toISOString(),
  };
}

function forecastMessage(total: number, quota: QuotaSnapshot, fits: boolean): string {
  if (quota.remaining === null) return `needs ~${total} requests; the account's API mode is unlimited`;
  const needs = `needs ~${total} requests, ${quota.remaining} left this month`;
  return fits ? needs : `${needs}; reduce the list, raise CHAT2DESK_MONTHLY_QUOTA, or pass allowPartial`;
}
