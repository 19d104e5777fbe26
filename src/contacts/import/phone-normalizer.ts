import { CountryCode, parsePhoneNumberWithError, ParseError } from 'libphonenumber-js/max';
import type { PhoneType } from '../entities/contact.entity';

export type NormalizedPhone =
  { ok: true; phone: string; type: PhoneType | null; country: string | null } | { ok: false; reason: string };

/**
 * Digits kept out of the cache key. Numbering plans decide validity and type by length and the
 * first digits after the country code (operator / area code); the subscriber's last digits are
 * free. 11+ digit forms (country code or trunk prefix + 10-digit national number) leave 5 digits
 * out, shorter ones 4 (6 would be too many: Kazakh landlines depend on the 6th digit from the end).
 * phone-normalizer.spec.ts checks cached results against libphonenumber across numbering plans.
 */
const tailDigits = (length: number) => (length >= 11 ? 5 : 4);
const CACHE_MIN_LENGTH = 9;
const CACHE_MAX_ENTRIES = 200_000;

const PARSE_ERROR_REASONS: Record<string, string> = {
  INVALID_COUNTRY: 'unknown country code, or no +country code and no default country',
  NOT_A_NUMBER: 'not a phone number',
  TOO_SHORT: 'too short to be a phone number',
  TOO_LONG: 'too long to be a phone number',
  INVALID_LENGTH: 'wrong number of digits',
};

/**
 * Turns whatever a spreadsheet holds into E.164 digits with libphonenumber-js ("max" metadata, so
 * landlines can be told from mobiles). libphonenumber costs ~10 µs a number, so results are cached
 * by the number minus its last digits and re-applied to other numbers with the same prefix.
 */
export class PhoneNormalizer {
  private readonly cache = new Map<string, NormalizedPhone>();
  private readonly defaultCountry: CountryCode | undefined;

  constructor(defaultCountry?: string | null) {
    this.defaultCountry = (defaultCountry?.toUpperCase() as CountryCode | undefined) ?? undefined;
  }

  normalize(raw: string): NormalizedPhone {
    const input = firstOfMany(raw);
    if (input === '') return { ok: false, reason: 'empty phone' };
    const compact = compactDigits(input);
    if (compact === undefined) return this.parse(input);
    if (compact.length < CACHE_MIN_LENGTH) return this.parse(compact);
    return this.cached(compact);
  }

  private cached(compact: string): NormalizedPhone {
    const tailLength = tailDigits(compact.length);
    const key = compact.slice(0, -tailLength);
    const tail = compact.slice(-tailLength);
    let template = this.cache.get(key);
    if (template === undefined) {
      template = this.parse(compact);
      if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
      this.cache.set(key, template);
      return template;
    }
    // The E.164 form of any number sharing this prefix ends with the same tail digits.
    return template.ok
      ? {
          ok: true,
          phone: template.phone.slice(0, -tailLength) + tail,
          type: template.type,
          country: template.country,
        }
      : template;
  }

  private parse(input: string): NormalizedPhone {
    try {
      const parsed = parsePhoneNumberWithError(input, this.defaultCountry);
      if (!parsed.isValid()) {
        return {
          ok: false,
          reason: `not a valid ${parsed.country ?? '+' + parsed.countryCallingCode} number`,
        };
      }
      const type = parsed.getType();
      return {
        ok: true,
        phone: parsed.number.slice(1),
        type: type ? (type.toLowerCase() as PhoneType) : null,
        country: parsed.country ?? null,
      };
    } catch (error) {
      if (error instanceof ParseError)
        return { ok: false, reason: PARSE_ERROR_REASONS[error.message] ?? error.message };
      throw error;
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
