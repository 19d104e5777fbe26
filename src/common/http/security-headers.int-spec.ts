import { createTestApp, TestApp } from '../../../test/support/test-app';

/** helmet's headers on every response: the dashboard, the API, errors, and Swagger UI's own CSP. */
describe('security headers', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });

  afterAll(() => testApp?.close());

  const STRICT_CSP = [
    "default-src 'self'",
    "base-uri 'self'",
    "connect-src 'self'",
    "font-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    "script-src 'self'",
    "script-src-attr 'none'",
    "style-src 'self'",
  ].join(';');

  it.each([
    ['the dashboard page', '/', 200, false],
    ['a dashboard script', '/js/app.js', 200, false],
    ['an API answer', '/api/lists', 200, true],
    ['an API refusal', '/api/lists', 401, false],
    ['a 404', '/api/nothing-here', 404, true],
  ])('%s carries the strict CSP and the other headers', async (_what, path, status, authorized) => {
    const response = await fetch(`${testApp.url}${path}`, { headers: authorized ? testApp.auth : {} });
    expect(response.status).toBe(status);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    expect(headers).toMatchObject({
      'content-security-policy': STRICT_CSP,
      'strict-transport-security': 'max-age=15552000',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(headers['x-powered-by']).toBeUndefined();
    expect(headers['content-security-policy']).not.toMatch(/unsafe|upgrade-insecure-requests/);
  });

  it('lets Swagger UI alone use inline styles', async () => {
    const response = await fetch(`${testApp.url}/api/docs`, { headers: testApp.auth });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(
      STRICT_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
    );
    expect(await response.text()).not.toMatch(/<script>[^<]/); // its scripts are files, allowed by 'self'
  });
});
