/** How unknown phones of one (transport, channel) are mapped to Chat2Desk clients. */
export type ResolutionStrategy = 'lookup' | 'create' | 'sync';

export const CLIENT_SYNC_PAGE_SIZE = 200;
/**
 * Share of unknown phones assumed to have no client yet (each costs a creation after a lookup or a
 * sync). Nothing tells it in advance; a half keeps the estimates honest either way.
 */
export const ASSUMED_MISSING_SHARE = 0.5;

export interface ResolutionSituation {
  unknownPhones: number;
  /** Clients the account has (from `meta.total`), when it was worth asking. */
  accountClients?: number;
  /** Creation is known to be off for the account. */
  creationDisabled: boolean;
  /**
   * Whether a direct creation may treat every phone as a new client. Under the manual's upsert a
   * creation does not say whether the client existed, so for WhatsApp every phone would wait the
   * new-client delay: acceptable only when the run starts after that delay anyway.
   */
  directCreationKeepsSchedule: boolean;
}

/** Estimated requests per strategy (Infinity = not possible here). */
export function estimateRequests(situation: ResolutionSituation): Record<ResolutionStrategy, number> {
  const { unknownPhones, accountClients } = situation;
  const creations = situation.creationDisabled ? 0 : unknownPhones * ASSUMED_MISSING_SHARE;
  return {
    lookup: unknownPhones + creations,
    create: situation.creationDisabled || !situation.directCreationKeepsSchedule ? Infinity : unknownPhones,
    sync:
      accountClients === undefined
        ? Infinity
        : Math.max(1, Math.ceil(accountClients / CLIENT_SYNC_PAGE_SIZE)) + creations,
  };
}

/** The strategy with the fewest estimated requests (ties: lookup, then create, then sync). */
export function chooseResolutionStrategy(situation: ResolutionSituation): ResolutionStrategy {
  const estimates = estimateRequests(situation);
  return (['lookup', 'create', 'sync'] as const).reduce((best, candidate) =>
    estimates[candidate] < estimates[best] ? candidate : best,
  );
}

/** Asking the account's size costs a request too: only worth it when it is at most 5 % of the work. */
export const MIN_UNKNOWN_FOR_SYNC = 20;
