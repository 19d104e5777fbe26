import { CountryCode, parsePhoneNumberWithError, ParseError } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';
import type { PhoneType } from '../entities/contact.entity';

export type NormalizedPhone =
  { ok: true; phone: string; type: PhoneType | null; country: string | null } | { ok: false; reason: string };

/**
 * Digits kept out of the cache key: numbering plans decide validity, type and country by length and
 * leading digits, and their patterns end in "any N digits" — for N ≥ 4 in the plans listed by
 * cacheSafeCallingCodes(). Results in other plans are never cached. phone-normalizer.spec.ts checks
 * cached answers against libphonenumber.
 */
const CACHE_TAIL_DIGITS = 4;
const CACHE_MIN_LENGTH = 9;
const CACHE_MAX_ENTRIES = 100_000;

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
    const key = compact.slice(0, -CACHE_TAIL_DIGITS);
    const template = this.cache.get(key);
    if (template === undefined) {
      const { result, cacheable } = this.parseDetailed(compact);
      if (cacheable) {
        if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
        this.cache.set(key, result);
        // "+<E.164>" is how any spelling of this number is written internationally: answer those too.
        if (result.ok) this.cache.set(`+${result.phone.slice(0, -CACHE_TAIL_DIGITS)}`, result);
      }
      return result;
    }
    if (!template.ok) return template;
    // The E.164 form of any number sharing this prefix ends with the same tail digits.
    const phone = template.phone.slice(0, -CACHE_TAIL_DIGITS) + compact.slice(-CACHE_TAIL_DIGITS);
    return { ok: true, phone, type: template.type, country: template.country };
  }

  private parse(input: string): NormalizedPhone {
    return this.parseDetailed(input).result;
  }

  /** libphonenumber's answer, and whether numbers sharing all but the last digits get the same one. */
  private parseDetailed(input: string): { result: NormalizedPhone; cacheable: boolean } {
    try {
      const parsed = parsePhoneNumberWithError(input, this.defaultCountry);
      const safePlan = cacheSafeCallingCodes().has(parsed.countryCallingCode);
      if (!parsed.isValid()) {
        const reason = `not a valid ${parsed.country ?? '+' + parsed.countryCallingCode} number`;
        return { result: { ok: false, reason }, cacheable: safePlan };
      }
      const type = parsed.getType();
      const phone = parsed.number.slice(1);
      return {
        result: {
          ok: true,
          phone,
          type: type ? (type.toLowerCase() as PhoneType) : null,
          country: parsed.country ?? null,
        },
        // The tail copied from other inputs must be the number's own tail (no extension, no rewrite).
        cacheable: safePlan && phone.endsWith(input.slice(-CACHE_TAIL_DIGITS)),
      };
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      return {
        result: { ok: false, reason: PARSE_ERROR_REASONS[error.message] ?? error.message },
        cacheable: false,
      };
    }
  }
}

const ALREADY_COMPACT = /^\+?\d+$/;

let safeCallingCodes: Set<string> | undefined;

/**
 * Calling codes whose every country's number patterns end with at least CACHE_TAIL_DIGITS free
 * digits (each top-level alternative ends in \d{n} or \d{n,m} with n ≥ 4). Anything the check
 * cannot read (optional groups at the end…) counts as unsafe.
 */
export function cacheSafeCallingCodes(): Set<string> {
  if (safeCallingCodes) return safeCallingCodes;
  const countries = metadata.countries as unknown as Record<string, [string, string, string, ...unknown[]]>;
  const types = (country: unknown[]) =>
    ((country[11] as Array<[string] | null> | undefined) ?? []).filter(Boolean).map((type) => type![0]);
  const safeCountry = (country: unknown[]) =>
    [country[2] as string, ...types(country)].every((pattern) =>
      topLevelAlternatives(pattern).every((alternative) => freeTailDigits(alternative) >= CACHE_TAIL_DIGITS),
    );
  safeCallingCodes = new Set(
    Object.entries(metadata.country_calling_codes as Record<string, string[]>)
      .filter(([, codes]) => codes.every((code) => countries[code] && safeCountry(countries[code])))
      .map(([callingCode]) => callingCode),
  );
  return safeCallingCodes;
}

function topLevelAlternatives(pattern: string): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let current = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '\\') {
      current += char + pattern[++index];
      continue;
    }
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === '|' && depth === 0) {
      alternatives.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  return [...alternatives, current];
}

function freeTailDigits(alternative: string): number {
  const match = /\\d\{(\d+)(?:,\d+)?\}$/.exec(alternative);
  return match ? Number(match[1]) : 0;
}

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
