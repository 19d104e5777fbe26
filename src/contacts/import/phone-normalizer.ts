import { CountryCode, parsePhoneNumberWithError, ParseError } from 'libphonenumber-js/max';
import type { PhoneType } from '../contact.types';
import { MIN_FIXED_DIGITS, MIN_FREE_DIGITS, provenFixedDigits } from './phone-prefix-analysis';

export type NormalizedPhone =
  { ok: true; phone: string; type: PhoneType | null; country: string | null } | { ok: false; reason: string };

/** Shorter compact numbers always go to libphonenumber. */
const CACHE_MIN_LENGTH = MIN_FIXED_DIGITS + MIN_FREE_DIGITS;
const CACHE_MAX_ENTRIES = 100_000;

/** Cached answer for every number of one length and spelling starting with a proven prefix. */
type CacheEntry = NormalizedPhone | typeof UNPROVEN;
/** Marks a prefix whose answer could not be proven free of its tail: always ask libphonenumber. */
const UNPROVEN = Symbol('unproven');

const PARSE_ERROR_REASONS: Record<string, string> = {
  INVALID_COUNTRY: 'unknown country code, or no +country code and no default country',
  NOT_A_NUMBER: 'not a phone number',
  TOO_SHORT: 'too short to be a phone number',
  TOO_LONG: 'too long to be a phone number',
  INVALID_LENGTH: 'wrong number of digits',
};

/**
 * Turns whatever a spreadsheet holds into E.164 digits with libphonenumber-js ("max" metadata, so
 * landlines can be told from mobiles). libphonenumber costs ~20 µs a number, so its answer is cached
 * by the shortest prefix that provably decides it (phone-prefix-analysis.ts: `8 916` decides every
 * 11-digit number written `8916…`) and re-applied to other numbers with that prefix, length and spelling.
 */
export class PhoneNormalizer {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly defaultCountry: CountryCode | undefined;

  constructor(defaultCountry?: string | null) {
    this.defaultCountry = (defaultCountry?.toUpperCase() as CountryCode | undefined) ?? undefined;
  }

  normalize(raw: string): NormalizedPhone {
    const input = firstOfMany(raw);
    if (input === '') return { ok: false, reason: 'empty phone' };
    const compact = compactDigits(input);
    if (compact === undefined) return this.parse(input).result;
    const plus = compact.charCodeAt(0) === 43;
    const digits = plus ? compact.slice(1) : compact;
    if (digits.length < CACHE_MIN_LENGTH) return this.parse(compact).result;
    return this.cached(compact, digits, plus);
  }

  private cached(compact: string, digits: string, plus: boolean): NormalizedPhone {
    const head = `${plus ? '+' : ''}${digits.length}:`;
    const longest = digits.length - MIN_FREE_DIGITS;
    for (let fixed = MIN_FIXED_DIGITS; fixed <= longest; fixed++) {
      const entry = this.cache.get(head + digits.slice(0, fixed));
      if (entry === undefined) continue;
      if (entry === UNPROVEN) return this.parse(compact).result;
      if (!entry.ok) return entry;
      const free = digits.length - fixed;
      // The E.164 number is the calling code + a suffix of the input: its last digits are the input's.
      const phone = entry.phone.slice(0, entry.phone.length - free) + digits.slice(fixed);
      return { ok: true, phone, type: entry.type, country: entry.country };
    }
    const { result, callingCode } = this.parse(compact);
    if (callingCode === undefined) return result;
    const fixed = provenFixedDigits(digits, plus, this.defaultCountry, callingCode);
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    const tail = fixed === undefined ? '' : digits.slice(fixed);
    if (
      fixed !== undefined &&
      (!result.ok || (result.phone.endsWith(tail) && result.phone.length > tail.length))
    )
      this.cache.set(head + digits.slice(0, fixed), result);
    else this.cache.set(head + digits.slice(0, longest), UNPROVEN);
    return result;
  }

  /** libphonenumber's answer, and the calling code it read (undefined when it could not parse). */
  private parse(input: string): { result: NormalizedPhone; callingCode?: string } {
    try {
      const parsed = parsePhoneNumberWithError(input, this.defaultCountry);
      const callingCode = parsed.countryCallingCode as string;
      if (!parsed.isValid()) {
        const reason = `not a valid ${parsed.country ?? '+' + callingCode} number`;
        return { result: { ok: false, reason }, callingCode };
      }
      const type = parsed.getType();
      return {
        result: {
          ok: true,
          phone: parsed.number.slice(1),
          type: type ? (type.toLowerCase() as PhoneType) : null,
          country: parsed.country ?? null,
        },
        callingCode,
      };
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      return { result: { ok: false, reason: PARSE_ERROR_REASONS[error.message] ?? error.message } };
    }
  }
}

const ALREADY_COMPACT = /^\+?\d+$/;

/** Google Contacts joins several numbers with " ::: "; the first is the primary one. */
function firstOfMany(raw: string): string {
  const separator = raw.indexOf(':::');
  return (separator >= 0 ? raw.slice(0, separator) : raw).trim();
}

/**
 * `+7 (916) 123-45-67` → `+79161234567`. Returns undefined when the text holds anything but digits,
 * a leading plus and punctuation (letters, an extension): those go to libphonenumber as they are.
 */
function compactDigits(input: string): string | undefined {
  if (ALREADY_COMPACT.test(input)) return input;
  let out = '';
  for (let index = 0; index < input.length; index++) {
    const code = input.charCodeAt(index);
    if (code >= 48 && code <= 57) out += input[index];
    else if (code === 43 /* + */ && out === '') out = '+';
    else if (!isPhonePunctuation(code)) return undefined;
  }
  return out === '+' ? undefined : out;
}

function isPhonePunctuation(code: number): boolean {
  // space, ( ) - . / and the non-breaking space Excel likes
  return (
    code === 32 || code === 40 || code === 41 || code === 45 || code === 46 || code === 47 || code === 160
  );
}
