import { CountryCode, parsePhoneNumberWithError } from 'libphonenumber-js/max';

/** What libphonenumber itself answers for a spelling: the yardstick for PhoneNormalizer's caches. */
export function reference(input: string, defaultCountry: CountryCode = 'RU') {
  try {
    const parsed = parsePhoneNumberWithError(input, defaultCountry);
    if (!parsed.isValid())
      return { ok: false, reason: `not a valid ${parsed.country ?? '+' + parsed.countryCallingCode} number` };
    return {
      ok: true,
      phone: parsed.number.slice(1),
      type: parsed.getType()?.toLowerCase() ?? null,
      country: parsed.country ?? null,
    };
  } catch {
    return expect.objectContaining({ ok: false });
  }
}
