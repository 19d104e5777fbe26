import { ClientReadiness } from '../../clients/client-readiness';
import { InvalidInputError } from '../../common/errors/domain-error';
import {
  assertCron,
  assertTimezone,
  nextOccurrence,
  parseScheduledAt,
  preparationLeadMs,
} from './campaign-schedule';
import { windowOpenEverywhere, windowTimezones } from './send-window';

describe('campaign schedule', () => {
  it('computes the next cron occurrence in the campaign timezone', () => {
    // 10:00 in Moscow (UTC+3) is 07:00 UTC
    expect(nextOccurrence('0 10 * * *', 'Europe/Moscow', new Date('2026-11-25T08:00:00Z'))).toEqual(
      new Date('2026-11-26T07:00:00Z'),
    );
    expect(nextOccurrence('0 10 * * *', 'Europe/Moscow', new Date('2026-11-25T06:59:00Z'))).toEqual(
      new Date('2026-11-25T07:00:00Z'),
    );
  });

  it('follows daylight saving time', () => {
    // New York switches to EST on 2026-11-01: 09:00 local is 13:00 UTC before, 14:00 UTC after
    expect(nextOccurrence('0 9 * * *', 'America/New_York', new Date('2026-10-31T12:00:00Z'))).toEqual(
      new Date('2026-10-31T13:00:00Z'),
    );
    expect(nextOccurrence('0 9 * * *', 'America/New_York', new Date('2026-11-01T12:00:00Z'))).toEqual(
      new Date('2026-11-01T14:00:00Z'),
    );
  });

  it('reads a scheduledAt without offset in the campaign timezone, with an offset as given', () => {
    expect(parseScheduledAt('2026-12-01T10:00', 'Europe/Moscow')).toEqual(new Date('2026-12-01T07:00:00Z'));
    expect(parseScheduledAt('2026-12-01T10:00:00Z', 'Europe/Moscow')).toEqual(
      new Date('2026-12-01T10:00:00Z'),
    );
    expect(() => parseScheduledAt('tomorrow', 'UTC')).toThrow(InvalidInputError);
  });

  it('refuses unknown timezones and bad cron expressions naming the field', () => {
    expect(() => assertTimezone('Mars/Olympus')).toThrow('timezone:');
    expect(() => assertCron('61 * * * *', 'UTC')).toThrow('cron:');
    expect(() => assertCron('*/15 9-18 * * 1-5', 'UTC')).not.toThrow();
  });

  it('prepares WhatsApp runs the new-client delay earlier than others', () => {
    expect(preparationLeadMs('whatsapp', new ClientReadiness(420, 5), 120)).toBe(545_000);
    expect(preparationLeadMs('sms', new ClientReadiness(420, 5), 120)).toBe(120_000);
  });

  it('knows when a window is open, including windows over midnight', () => {
    const at = new Date('2026-11-25T19:30:00Z'); // 22:30 in Moscow
    expect(
      windowOpenEverywhere({ start: '10:00', end: '20:00', timezone: 'campaign' }, ['Europe/Moscow'], at),
    ).toBe(false);
    expect(
      windowOpenEverywhere({ start: '22:00', end: '06:00', timezone: 'campaign' }, ['Europe/Moscow'], at),
    ).toBe(true);
    expect(
      windowOpenEverywhere(
        { start: '10:00', end: '23:00', timezone: 'recipient' },
        ['Europe/Moscow', 'Asia/Almaty'],
        at,
      ),
    ).toBe(false);
  });

  it("reads a recipient window in each recipient country's timezone, unknown ones in the campaign's", () => {
    const window = { start: '10:00', end: '20:00', timezone: 'recipient' as const };
    expect(windowTimezones(window, 'UTC', ['RU', 'kz', null, 'ZZ', 'RU'])).toEqual([
      'Europe/Moscow',
      'Asia/Almaty',
      'UTC',
    ]);
    expect(windowTimezones({ ...window, timezone: 'campaign' }, 'UTC', ['RU'])).toEqual(['UTC']);
  });
});
