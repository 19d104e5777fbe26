export const SESSION_COOKIE = 'c2d_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Reads one cookie from a Cookie header (no cookie-parser dependency for one value). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name)
      return decodeURIComponent(part.slice(separator + 1).trim());
  }
  return undefined;
}
