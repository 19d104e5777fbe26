import { InvalidInputError } from '../common/errors/domain-error';
import type { PhoneType } from './contact.types';
import { PhoneNormalizer } from './import/phone-normalizer';

/** Where a number typed without a country code is read, unless the caller names another country. */
export const TYPED_PHONE_COUNTRY = 'RU';

/**
 * A phone typed by hand (a test send, one contact added in the dashboard), read as imports read a
 * CSV cell: `8 (916) 123-45-67`, `+7 916 …`. A number that cannot be read is a 400 on `phone` that
 * says how to write it.
 */
export function readTypedPhone(
  raw: string,
  defaultCountry = TYPED_PHONE_COUNTRY,
): { phone: string; type: PhoneType | null; country: string | null } {
  const normalized = new PhoneNormalizer(defaultCountry).normalize(raw);
  if (normalized.ok) return normalized;
  throw new InvalidInputError(
    'phone',
    `${normalized.reason}; write it as +7 916 123-45-67 or 8 916 123-45-67`,
  );
}
