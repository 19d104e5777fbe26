import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';
import { ForbiddenError } from '../common/errors/domain-error';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isUnsafe(request: Request): boolean {
  return !SAFE_METHODS.has(request.method);
}

/**
 * Bodies are JSON or multipart, never what an HTML form can send across sites without a preflight
 * (`application/x-www-form-urlencoded`, `text/plain`).
 */
export function assertAcceptedBody(request: Request): void {
  if (!isUnsafe(request)) return;
  const hasBody =
    Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return;
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  if (/^application\/([\w.+-]+\+)?json\b/.test(type) || type.startsWith('multipart/form-data')) return;
  throw new UnsupportedMediaTypeException({
    statusCode: 415,
    error: 'unsupported_media_type',
    message: `Send the body as application/json (or multipart/form-data for file uploads), not "${type || 'no Content-Type'}"`,
  });
}

/**
 * CSRF: a change made with the session cookie must come from the dashboard's own origin. Browsers
 * say where a request comes from (Sec-Fetch-Site, else Origin); a page of another site — or of the
 * same site on another port — cannot make them lie. Scripts use a Bearer token and skip this.
 */
export function assertSameOrigin(request: Request): void {
  const site = request.headers['sec-fetch-site'];
  if (site === 'same-origin' || site === 'none') return;
  const origin = request.headers.origin;
  if (site === undefined && origin !== undefined && origin === `${request.protocol}://${request.get('host')}`)
    return;
  throw new ForbiddenError(
    'cross_site_request',
    'Changes with the dashboard session must come from the dashboard itself; scripts send "Authorization: Bearer <token>"',
  );
}
