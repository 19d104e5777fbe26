import { DateTime } from 'luxon';
import { InvalidInputError } from '../../common/errors/domain-error';
import type { RecipientSendWindow } from '../../recipients/campaign-recipients.store';
import type { SendWindow } from '../campaign.types';

/**
 * A recipient's timezone from the country of the phone. Countries spanning several zones get their
 * most populous one; a country not listed falls back to the campaign's timezone.
 */
export const COUNTRY_TIMEZONES: Readonly<Record<string, string>> = {
  RU: 'Europe/Moscow',
  BY: 'Europe/Minsk',
  UA: 'Europe/Kyiv',
  KZ: 'Asia/Almaty',
  UZ: 'Asia/Tashkent',
  KG: 'Asia/Bishkek',
  TJ: 'Asia/Dushanbe',
  TM: 'Asia/Ashgabat',
  AZ: 'Asia/Baku',
  AM: 'Asia/Yerevan',
  GE: 'Asia/Tbilisi',
  MD: 'Europe/Chisinau',
  TR: 'Europe/Istanbul',
  IL: 'Asia/Jerusalem',
  AE: 'Asia/Dubai',
  IN: 'Asia/Kolkata',
  CN: 'Asia/Shanghai',
  TH: 'Asia/Bangkok',
  ID: 'Asia/Jakarta',
  GB: 'Europe/London',
  DE: 'Europe/Berlin',
  FR: 'Europe/Paris',
  ES: 'Europe/Madrid',
  IT: 'Europe/Rome',
  NL: 'Europe/Amsterdam',
  PL: 'Europe/Warsaw',
  LV: 'Europe/Riga',
  LT: 'Europe/Vilnius',
  EE: 'Europe/Tallinn',
  FI: 'Europe/Helsinki',
  CZ: 'Europe/Prague',
  RS: 'Europe/Belgrade',
  CY: 'Asia/Nicosia',
  US: 'America/New_York',
  CA: 'America/Toronto',
  MX: 'America/Mexico_City',
  BR: 'America/Sao_Paulo',
  AR: 'America/Argentina/Buenos_Aires',
};

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function assertSendWindow(window: SendWindow): void {
  for (const field of ['start', 'end'] as const) {
    if (!TIME_OF_DAY.test(window[field])) {
      throw new InvalidInputError(
        `sendWindow.${field}`,
        `"${window[field]}" is not a time of day; use HH:MM, e.g. 10:00`,
      );
    }
  }
  if (window.start === window.end) {
    throw new InvalidInputError('sendWindow', 'start and end are equal; omit sendWindow to send at any time');
  }
}

/** The window as the recipients store defers by it: in each recipient's timezone, or the campaign's. */
export function recipientSendWindow(window: SendWindow, campaignTimezone: string): RecipientSendWindow {
  return {
    start: window.start,
    end: window.end,
    countryTimezones: window.timezone === 'recipient' ? COUNTRY_TIMEZONES : null,
    defaultTimezone: campaignTimezone,
  };
}

/** The timezones a window is read in for recipients from these countries (ISO-2, null = unknown). */
export function windowTimezones(
  window: SendWindow,
  campaignTimezone: string,
  countries: ReadonlyArray<string | null>,
): string[] {
  if (window.timezone === 'campaign') return [campaignTimezone];
  return [
    ...new Set(
      countries.map((country) => (country && COUNTRY_TIMEZONES[country.toUpperCase()]) || campaignTimezone),
    ),
  ];
}

/** Whether `now` is inside the window in every one of these timezones (then nothing needs deferring). */
export function windowOpenEverywhere(window: SendWindow, zones: readonly string[], now: Date): boolean {
  return zones.every((zone) => insideWindow(window, DateTime.fromJSDate(now, { zone }).toFormat('HH:mm')));
}

function insideWindow(window: SendWindow, localTime: string): boolean {
  return window.start < window.end
    ? localTime >= window.start && localTime < window.end
    : localTime >= window.start || localTime < window.end;
}
