import { estimateRequests } from './campaign-forecast';

const now = new Date('2026-11-25T09:00:00Z');

describe('request forecast', () => {
  it('counts the preparation the preparer plans, a send per recipient and status polls at 0.02 per message', () => {
    const forecast = estimateRequests(
      {
        recipients: 1000,
        knownClients: 400,
        missingVariables: 0,
        preparation: { lookups: 0, creations: 600 },
      },
      { remaining: 5000, limit: 50_000, reserve: 50 },
      now,
    );
    expect(forecast).toMatchObject({
      creations: 600,
      lookups: 0,
      sends: 1000,
      statusPolls: 20,
      total: 1620,
      fits: true,
    });
    expect(forecast.statusPolls / forecast.sends).toBeLessThanOrEqual(0.02);
  });

  it('says what to do when it does not fit', () => {
    const forecast = estimateRequests(
      {
        recipients: 1000,
        knownClients: 1000,
        missingVariables: 0,
        preparation: { lookups: 0, creations: 0 },
      },
      { remaining: 500, limit: 1000, reserve: 50 },
      now,
    );
    expect(forecast.fits).toBe(false);
    expect(forecast.message).toBe(
      'needs ~1020 requests, 500 left this month; reduce the list, raise CHAT2DESK_MONTHLY_QUOTA, or pass allowPartial',
    );
  });

  it('always fits an unlimited account', () => {
    expect(
      estimateRequests(
        { recipients: 10, knownClients: 0, missingVariables: 0, preparation: { lookups: 10, creations: 5 } },
        { remaining: null, limit: null, reserve: 50 },
        now,
      ).fits,
    ).toBe(true);
  });
});
