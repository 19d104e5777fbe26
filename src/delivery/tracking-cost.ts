import { DataSource } from 'typeorm';
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
  dataSource: DataSource;
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
  let inFlight = await countInFlight(options.dataSource, options.campaignId);
  while (inFlight > 0 && rounds < maxRounds) {
    await options.tracker.pollOnce();
    rounds += 1;
    inFlight = await countInFlight(options.dataSource, options.campaignId);
    if (inFlight > 0) await options.wait();
  }
  const requests = await options.listRequests();
  const messages = await countTracked(options.dataSource, options.campaignId);
  return {
    requests,
    messages,
    requestsPerMessage: messages === 0 ? 0 : requests / messages,
    rounds,
    stillInFlight: inFlight,
  };
}

async function countInFlight(dataSource: DataSource, campaignId?: string): Promise<number> {
  const [row] = await dataSource.query(
    `SELECT count(*)::int AS count FROM campaign_recipients WHERE state = 'sent' AND ($1::uuid IS NULL OR campaign_id = $1)`,
    [campaignId ?? null],
  );
  return row.count;
}

async function countTracked(dataSource: DataSource, campaignId?: string): Promise<number> {
  const [row] = await dataSource.query(
    `SELECT count(*)::int AS count FROM campaign_recipients WHERE chat2desk_message_id IS NOT NULL AND ($1::uuid IS NULL OR campaign_id = $1)`,
    [campaignId ?? null],
  );
  return row.count;
}
