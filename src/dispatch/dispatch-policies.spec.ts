import {
  chooseResolutionStrategy,
  estimateRequests,
  planResolution,
} from '../clients/client-resolution-strategy';
import { createdAtMs } from './message-reconciler';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from './retry-policy';

describe('retry backoff', () => {
  it('doubles per attempt around the base, with jitter in [0.5, 1.5), capped', () => {
    expect(retryDelayMs(1, 1000, () => 0)).toBe(500);
    expect(retryDelayMs(3, 1000, () => 0.5)).toBe(4000);
    expect(retryDelayMs(3, 1000, () => 0.999)).toBeLessThan(6000);
    expect(retryDelayMs(30, 1000, () => 0.9)).toBe(MAX_RETRY_DELAY_MS);
  });
});

describe('client resolution strategy by estimated requests', () => {
  const base = { creationDisabled: false, directCreationKeepsSchedule: false };

  it('looks phones up one by one when few are unknown', () => {
    expect(chooseResolutionStrategy({ ...base, unknownPhones: 10, accountClients: 100_000 })).toBe('lookup');
  });

  it('syncs the whole account at 200 per page when unknown phones outnumber its pages', () => {
    expect(estimateRequests({ ...base, unknownPhones: 5_000, accountClients: 20_000 }).sync).toBe(100);
    expect(chooseResolutionStrategy({ ...base, unknownPhones: 5_000, accountClients: 20_000 })).toBe('sync');
  });

  it('creates directly (one request per phone) when the run starts after the WhatsApp delay anyway', () => {
    expect(
      chooseResolutionStrategy({
        ...base,
        directCreationKeepsSchedule: true,
        unknownPhones: 10,
        accountClients: 100_000,
      }),
    ).toBe('create');
  });

  it('counts creations for the phones the account cannot hold, or half the phones when its size is unknown', () => {
    expect(planResolution({ ...base, unknownPhones: 400, accountClients: 400 })).toEqual({
      strategy: 'sync',
      lookups: 2,
      creations: 0,
    });
    expect(planResolution({ ...base, unknownPhones: 500, accountClients: 100 })).toEqual({
      strategy: 'sync',
      lookups: 1,
      creations: 400,
    });
    expect(planResolution({ ...base, unknownPhones: 10 })).toEqual({
      strategy: 'lookup',
      lookups: 10,
      creations: 5,
    });
  });

  it('never creates when creation is disabled for the account', () => {
    expect(
      estimateRequests({ creationDisabled: true, directCreationKeepsSchedule: true, unknownPhones: 10 })
        .create,
    ).toBe(Infinity);
  });
});

describe('Chat2Desk message dates', () => {
  it('reads "2016-01-11T19:45:05 UTC" as UTC and never matches an unreadable date', () => {
    expect(createdAtMs({ created: '2016-01-11T19:45:05 UTC' })).toBe(Date.UTC(2016, 0, 11, 19, 45, 5));
    expect(createdAtMs({ created: 'yesterday' })).toBe(Number.NEGATIVE_INFINITY);
  });
});
