import { join } from 'node:path';
import express from 'express';
import type { RequestHandler, Response } from 'express';

/** Where the dashboard's files are: next to this module in src/ (ts-node) and in dist/src (build). */
export const PUBLIC_DIR = join(__dirname, 'public');

/**
 * The dashboard is a handful of plain files without content hashes in their names, so browsers
 * keep them but revalidate every time (ETag/Last-Modified → 304): a deploy is visible at once.
 * Scripts and styles come from this origin only; API data goes through fetch to the same origin.
 * The security headers (CSP, nosniff, referrer policy…) are set for every response by
 * `securityHeaders()` (src/common/http/security-headers.ts).
 */
export function dashboardStaticMiddleware(): RequestHandler {
  // ETag and Last-Modified stay on (express defaults); Cache-Control is ours alone.
  return express.static(PUBLIC_DIR, { cacheControl: false, setHeaders: setDashboardHeaders });
}

function setDashboardHeaders(response: Response): void {
  response.setHeader('Cache-Control', 'no-cache');
}
