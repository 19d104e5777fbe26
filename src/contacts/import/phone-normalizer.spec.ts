import { PhoneNormalizer } from './phone-normalizer';
import { reference } from '../../../test/support/phone-reference';

describe('PhoneNormalizer', () => {
  it('reads the usual Russian spellings as one E.164 number', () => {
    const normalizer = new PhoneNormalizer('RU');
    for (const spelling of [
      '8 (916) 123-45-67',
      '+7 916 123 45 67',
      '79161234567',
      '9161234567',
      '+7\u00a0916\u00a0123-45-67',
      // As rejected.csv writes it back (safe-csv's apostrophe), opened in a text editor and uploaded again.
      "'+79161234567",
      "'+7 (916) 123-45-67",
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
});
