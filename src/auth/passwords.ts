import { hash, verify } from '@node-rs/argon2';
import { InvalidInputError } from '../common/errors/domain-error';

export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;

/** Argon2id with the library's defaults (OWASP's minimum: 19 MiB, 2 passes). */
export async function hashPassword(password: string, field = 'password'): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new InvalidInputError(field, `must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  if (password.length > MAX_PASSWORD_LENGTH)
    throw new InvalidInputError(field, `must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  return hash(password);
}

/** Constant work whether or not the account exists, so timing does not tell which e-mails are taken. */
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$wDK5GNB05i9g9kXWDQD0ug$FnKmzvfW4m2Njw+uJbmtEc6uoPZzfElJ5LSqqV7mSTo';

export async function passwordMatches(storedHash: string | null, password: string): Promise<boolean> {
  const matches = await verify(storedHash ?? DUMMY_HASH, password).catch(() => false);
  return storedHash !== null && matches;
}
