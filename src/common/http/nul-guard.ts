import type { NextFunction, Request, Response } from 'express';
import { InvalidInputError } from '../errors/domain-error';

/**
 * PostgreSQL text cannot hold the NUL character (U+0000): a name, text, filter or status carrying
 * one would fail deep inside a statement. Every request is checked once, after the body parsers:
 * the path, the query string and the parsed body (keys and values, at any depth). The 400 names
 * the field, e.g. `contactFilter.city: must not contain the NUL character (\u0000); remove it`.
 */
export function rejectNulCharacters(request: Request, _response: Response, next: NextFunction): void {
  if (/%00/i.test(request.path)) return next(new InvalidInputError('path', 'must not contain %00 (NUL)'));
  const found = nulIn(request.query, '') ?? nulIn(request.body, '');
  if (found === undefined) return next();
  const field = found.path || 'body';
  next(
    new InvalidInputError(
      field,
      found.inKey
        ? 'has a key containing the NUL character (\\u0000); remove it'
        : 'must not contain the NUL character (\\u0000); remove it',
    ),
  );
}

interface NulFound {
  path: string;
  inKey: boolean;
}

/** Where the first NUL is. Recursion is bounded: JSON bodies by the parser's depth check, queries by qs. */
function nulIn(value: unknown, path: string): NulFound | undefined {
  if (typeof value === 'string') return value.includes('\0') ? { path, inKey: false } : undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = nulIn(value[index], `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\0')) return { path, inKey: true };
    const found = nulIn(item, path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

/** For input that bypasses the middleware (multipart fields, file names): the same 400. */
export function assertNoNul(field: string, value: string): void {
  if (value.includes('\0'))
    throw new InvalidInputError(field, 'must not contain the NUL character (\\u0000); remove it');
}
