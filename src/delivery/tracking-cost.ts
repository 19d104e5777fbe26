import { RecipientStatusStore } from '../recipients/recipient-status.store';
import { StatusTracker } from './status-tracker';

/** What status tracking cost: `GET /v1/messages` requests per tracked message. */
export interface TrackingCost {
  requests: number;
  messages: number;
  requestsPerMessage: number;
  /** Tracking rounds run until nothing was in flight. */
  rounds: number;
  /** Messages still `sent` when maxRounds ran out (0 when tracking finished). */
  stillInFlight: number;
}

export interface TrackingCostOptions {
  tracker: StatusTracker;
  /** Counts the messages in flight and tracked (`app.get(RecipientStatusStore)`). */
  statuses: RecipientStatusStore;
  /** Total `GET /v1/messages` requests the Chat2Desk side has counted, e.g. from the sandbox ledger. */
  listRequests: () => number | Promise<number>;
  /** Lets time pass between rounds: `clock.advance(ms)` for a manual clock, a sleep otherwise. */
  wait: () => void | Promise<void>;
  /** Limit the count to one campaign's messages. */
  campaignId?: string;
  maxRounds?: number;
}

/** Requests the sandbox counts for the list endpoint (its ledger's route key). */
export const LIST_MESSAGES_ROUTE = 'GET /v1/messages';

/**
 * Runs tracking rounds until no message is in flight and divides the list requests spent by the
 * messages tracked. The dispatch benchmark calls it after sending, with the sandbox ledger as the
 * request count: `listRequests: () => sandbox.ledger().requestsByRoute[LIST_MESSAGES_ROUTE] ?? 0`.
 * Requests made before the call (e.g. polls during sending) are counted only if `listRequests`
 * starts from zero, which is the honest figure: pass the raw ledger value, not a delta.
 */
export async function measureTrackingCost(options: TrackingCostOptions): Promise<TrackingCost> {
  const maxRounds = options.maxRounds ?? 1_000;
  let rounds = 0;
  let inFlight = await options.statuses.countInFlight(options.campaignId);
  while (inFlight > 0 && rounds < maxRounds) {
    await options.tracker.pollOnce();
    rounds += 1;
    inFlight = await options.statuses.countInFlight(options.campaignId);
    if (inFlight > 0) await options.wait();
  }
  const requests = await options.listRequests();
  const messages = await options.statuses.countTracked(options.campaignId);
  return {
    requests,
    messages,
    requestsPerMessage: messages === 0 ? 0 : requests / messages,
    rounds,
    stillInFlight: inFlight,
  };
}
