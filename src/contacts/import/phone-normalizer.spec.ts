import { CountryCode, parsePhoneNumberWithError } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';
import { PhoneNormalizer } from './phone-normalizer';

describe('PhoneNormalizer', () => {
  it('reads the usual Russian spellings as one E.164 number', () => {
    const normalizer = new PhoneNormalizer('RU');
    for (const spelling of [
      '8 (916) 123-45-67',
      '+7 916 123 45 67',
      '79161234567',
      '9161234567',
      '+7\u00a0916\u00a0123-45-67',
    ]) {
      expect(normalizer.normalize(spelling)).toEqual({
        ok: true,
        phone: '79161234567',
        type: 'mobile',
        country: 'RU',
      });
    }
  });

  it('flags landlines and rejects impossible numbers with a reason', () => {
    const normalizer = new PhoneNormalizer('RU');
    expect(normalizer.normalize('8 495 123-45-67')).toMatchObject({
      ok: true,
      phone: '74951234567',
      type: 'fixed_line',
    });
    expect(normalizer.normalize('12345')).toEqual({ ok: false, reason: 'not a valid RU number' });
    expect(normalizer.normalize('call me')).toEqual({ ok: false, reason: 'not a phone number' });
    expect(normalizer.normalize('')).toEqual({ ok: false, reason: 'empty phone' });
  });

  it('takes the first of the numbers Google Contacts joins with ":::"', () => {
    expect(new PhoneNormalizer('RU').normalize('+7 916 555-12-34 ::: +7 495 111-22-33')).toMatchObject({
      phone: '79165551234',
    });
  });

  // The prefix cache assumes the last 4 digits never change validity, type or country in the plans
  // it caches: check that against libphonenumber on numbers from many plans, in several spellings.
  it('answers from its cache exactly what libphonenumber answers', () => {
    const prefixes = [
      '7916',
      '79300', // RU 930 0xx: validity depends on the 6th national digit
      '7495',
      '7812',
      '7700',
      '7727',
      '1650',
      '1212',
      '1800',
      '4420',
      '447400',
      '4930',
      '49151',
      '33612',
      '380501',
      '375291',
      '998901',
      '86138',
      '91981',
      '5511',
      '61412',
      '7800',
    ];
    const cached = new PhoneNormalizer('RU');
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let index = 0; index < 20_000; index++) {
      const prefix = prefixes[index % prefixes.length];
      const digits =
        prefix +
        String(Math.floor(random() * 1e8))
          .padStart(8, '0')
          .slice(0, 11 - prefix.length + Math.floor(random() * 3));
      const spelling =
        index % 3 === 0
          ? `+${digits}`
          : index % 3 === 1
            ? `+${digits.slice(0, 2)} ${digits.slice(2)}`
            : digits;
      expect([spelling, cached.normalize(spelling)]).toEqual([spelling, reference(spelling)]);
    }
  });

  // The proven-prefix cache (phone-prefix-analysis.ts) against libphonenumber: every calling code,
  // several default countries, spellings with "+", without, with the national prefix and the IDD
  // prefix, and prefixes shared by many numbers so that most answers come from the cache.
  it('answers from its proven-prefix cache exactly what libphonenumber answers, in every plan', () => {
    let seed = 11;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const digits = (count: number) => {
      let out = '';
      for (let index = 0; index < count; index++) out += Math.floor(random() * 10);
      return out;
    };
    const callingCodes = Object.keys(metadata.country_calling_codes);
    for (const defaultCountry of ['RU', 'KZ', 'US', 'GB', 'DE', 'BR']) {
      const cached = new PhoneNormalizer(defaultCountry);
      const home = (metadata.countries as unknown as Record<string, unknown[]>)[defaultCountry];
      const [homeCode, idd, , , , nationalPrefix] = home as [
        string,
        string,
        unknown,
        unknown,
        unknown,
        string?,
      ];
      const iddDigits = /^\d+$/.test(idd) ? idd : '00';
      const prefixes: string[] = [];
      for (let index = 0; index < 600; index++) {
        const code = index % 3 === 0 ? homeCode : callingCodes[Math.floor(random() * callingCodes.length)];
        prefixes.push(code + digits(1 + Math.floor(random() * 3)));
      }
      for (let index = 0; index < 12_000; index++) {
        const prefix = prefixes[Math.floor(random() * prefixes.length)];
        const number = prefix + digits(6 + Math.floor(random() * 5));
        const national = number.startsWith(homeCode) ? number.slice(homeCode.length) : undefined;
        const style = Math.floor(random() * 5);
        const spelling =
          style === 0
            ? `+${number}`
            : style === 1
              ? number
              : style === 2
                ? iddDigits + number
                : national !== undefined
                  ? (style === 3 && nationalPrefix ? nationalPrefix : '') + national
                  : `+${number}`;
        expect([defaultCountry, spelling, cached.normalize(spelling)]).toEqual([
          defaultCountry,
          spelling,
          reference(spelling, defaultCountry as CountryCode),
        ]);
      }
    }
  });
});

function reference(input: string, defaultCountry: CountryCode = 'RU') {
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
