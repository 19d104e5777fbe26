import { CountryCode } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';
import { PhoneNormalizer } from './phone-normalizer';
import { reference } from '../../../test/support/phone-reference';

/**
 * A proof by exhaustion, not a unit test: tens of seconds of CPU and no I/O. It runs with the
 * integration tier so that `npm run test:unit` stays a matter of seconds.
 */
describe('PhoneNormalizer proven-prefix cache', () => {
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
