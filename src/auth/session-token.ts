import { InvalidInputError } from '../common/errors/domain-error';

export const SESSION_COOKIE = 'c2d_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * Reads one cookie from a Cookie header (no cookie-parser dependency for one value). A value that is
 * not valid percent-encoding (`c2d_session=%`) is the client's mistake, refused with a 400 naming
 * the cookie — never a URIError and a 500.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) {
      try {
        return decodeURIComponent(part.slice(separator + 1).trim());
      } catch {
        throw new InvalidInputError(
          `cookie ${name}`,
          'is not valid percent-encoding; sign in again (or delete the cookie)',
        );
      }
    }
  }
  return undefined;
}
