/** How unknown phones of one (transport, channel) are mapped to Chat2Desk clients. */
export type ResolutionStrategy = 'lookup' | 'create' | 'sync';

export const CLIENT_SYNC_PAGE_SIZE = 200;
/** Share of unknown phones assumed to have no client yet when the account's size is not known. */
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

/** What resolving a group's unknown phones costs with one strategy. */
export interface ResolutionCost {
  lookups: number;
  creations: number;
}

/**
 * Phones expected to have no client yet. With the account's size known, at least the phones it cannot
 * hold are missing, and marketing lists are mostly existing customers: that bound is the estimate.
 * Without it, nothing tells; a half keeps the estimate honest either way.
 */
function expectedMissing({ unknownPhones, accountClients, creationDisabled }: ResolutionSituation): number {
  if (creationDisabled) return 0;
  if (accountClients === undefined) return Math.round(unknownPhones * ASSUMED_MISSING_SHARE);
  return Math.max(0, unknownPhones - accountClients);
}

/** Requests per strategy (Infinity = not possible here). */
export function estimateCosts(situation: ResolutionSituation): Record<ResolutionStrategy, ResolutionCost> {
  const { unknownPhones, accountClients } = situation;
  const creations = expectedMissing(situation);
  const impossible = { lookups: Infinity, creations: 0 };
  return {
    lookup: { lookups: unknownPhones, creations },
    create:
      situation.creationDisabled || !situation.directCreationKeepsSchedule
        ? impossible
        : { lookups: 0, creations: unknownPhones },
    sync:
      accountClients === undefined
        ? impossible
        : { lookups: Math.max(1, Math.ceil(accountClients / CLIENT_SYNC_PAGE_SIZE)), creations },
  };
}

export function estimateRequests(situation: ResolutionSituation): Record<ResolutionStrategy, number> {
  const costs = estimateCosts(situation);
  const total = (cost: ResolutionCost) => cost.lookups + cost.creations;
  return { lookup: total(costs.lookup), create: total(costs.create), sync: total(costs.sync) };
}

/**
 * The strategy with the fewest estimated requests. Ties go to a direct creation (allowed only when
 * the run starts after the delay anyway, and it answers for phones whose lookup would find nothing),
 * then to lookups, then to a sync.
 */
export function chooseResolutionStrategy(situation: ResolutionSituation): ResolutionStrategy {
  const estimates = estimateRequests(situation);
  return (['create', 'lookup', 'sync'] as const).reduce((best, candidate) =>
    estimates[candidate] < estimates[best] ? candidate : best,
  );
}

/** The strategy the preparer will choose and what it will spend: the forecast's view of preparation. */
export function planResolution(
  situation: ResolutionSituation,
): ResolutionCost & { strategy: ResolutionStrategy } {
  const strategy = chooseResolutionStrategy(situation);
  return { strategy, ...estimateCosts(situation)[strategy] };
}

/** Asking the account's size costs a request too: only worth it when it is at most 5 % of the work. */
export const MIN_UNKNOWN_FOR_SYNC = 20;
