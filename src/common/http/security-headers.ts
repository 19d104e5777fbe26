import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** Swagger UI: Nest serves it with an inline <style> block and inline style attributes. */
export const API_DOCS_PATH_PREFIX = '/api/docs';

/**
 * The Content-Security-Policy of everything the app serves, the dashboard first: its files come
 * from this origin only, with no inline script or style (`h()` in src/web/public/js/dom.js sets
 * styles through the CSSOM, which CSP allows), and the page cannot be framed. No
 * `upgrade-insecure-requests`: the app is often reached over plain HTTP (localhost, a LAN address),
 * where it would send the browser to an HTTPS port nobody listens on.
 */
const DIRECTIVES = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
};

function headers(styleSrc: string[]): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { ...DIRECTIVES, 'style-src': styleSrc } },
    // Sent on HTTPS and HTTP alike (browsers ignore it over HTTP); not for the whole domain's subdomains.
    strictTransportSecurity: { maxAge: 180 * 24 * 60 * 60, includeSubDomains: false },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  }) as RequestHandler;
}

/**
 * Security headers on every response (helmet): CSP above, HSTS, nosniff, no referrer, no framing,
 * same-origin opener and resource policies, no X-Powered-By. Swagger UI alone may use inline
 * styles; its scripts are files like the dashboard's.
 */
export function securityHeaders(): RequestHandler {
  const strict = headers(["'self'"]);
  const apiDocs = headers(["'self'", "'unsafe-inline'"]);
  return (request, response, next) =>
    (request.path === API_DOCS_PATH_PREFIX || request.path.startsWith(`${API_DOCS_PATH_PREFIX}/`)
      ? apiDocs
      : strict)(request, response, next);
}
