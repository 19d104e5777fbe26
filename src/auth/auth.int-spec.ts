import request from 'supertest';
import { createApp } from '../app.factory';
import { createTestApp, TEST_API_KEY, TestApp } from '../../test/support/test-app';
import { SESSION_COOKIE } from './session-token';
import { MAX_FAILED_SIGN_INS } from './sign-in-limiter';

describe('auth over HTTP (real app)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('refuses a protected route without credentials or with a wrong key, and accepts the key', async () => {
    await request(t.url).get('/auth/session').expect(401);
    await request(t.url).get('/auth/session').set('Authorization', 'Bearer wrong-key').expect(401);
    await request(t.url).get('/auth/session').set('Authorization', TEST_API_KEY).expect(401);
    const ok = await request(t.url).get('/auth/session').set(t.auth).expect(200);
    expect(ok.body).toEqual({ actor: 'api-key', role: 'admin', hasPeople: false });
  });

  it('serves /health and the Chat2Desk webhook without credentials', async () => {
    const health = await request(t.url).get('/health').expect(200);
    expect(health.body.status).toBeDefined();
    // Public (no API key): without CHAT2DESK_WEBHOOK_SECRET it is off (503), not refused for credentials (401).
    await request(t.url).post('/api/webhooks/chat2desk').send({ type: 'unknown_event' }).expect(503);
  });

  it('signs in with the key into an HttpOnly SameSite=Strict cookie, and signs out', async () => {
    const login = await request(t.url).post('/auth/login').send({ apiKey: TEST_API_KEY }).expect(200);
    const setCookie = login.headers['set-cookie'] as unknown as string[];
    const sessionCookie = setCookie.find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`))!;
    expect(sessionCookie).toMatch(/HttpOnly/);
    expect(sessionCookie).toMatch(/SameSite=Strict/);
    const cookie = sessionCookie.split(';')[0];

    const session = await request(t.url).get('/auth/session').set('Cookie', cookie).expect(200);
    expect(session.body).toEqual({ actor: 'api-key', role: 'admin', hasPeople: false });
    await request(t.url).get('/auth/session').set('Cookie', `${SESSION_COOKIE}=forged.signature`).expect(401);

    const logout = await request(t.url).post('/auth/logout').set('Cookie', cookie).expect(204);
    expect((logout.headers['set-cookie'] as unknown as string[])[0]).toMatch(
      new RegExp(`^${SESSION_COOKIE}=;.*Expires=Thu, 01 Jan 1970`),
    );
    // The session ended server-side: replaying the old cookie no longer works.
    await request(t.url).get('/auth/session').set('Cookie', cookie).expect(401);
  });

  it('keeps sessions in the database: a session from one instance works on another', async () => {
    const other = await createApp(t.config);
    await other.listen(0, '127.0.0.1');
    const otherUrl = `http://127.0.0.1:${(other.getHttpServer().address() as { port: number }).port}`;
    try {
      const login = await request(t.url).post('/auth/login').send({ apiKey: TEST_API_KEY }).expect(200);
      const cookie = (login.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
      await request(otherUrl).get('/auth/session').set('Cookie', cookie).expect(200);
      await request(otherUrl).post('/auth/logout').set('Cookie', cookie).expect(204);
      await request(t.url).get('/auth/session').set('Cookie', cookie).expect(401);
    } finally {
      await other.close();
    }
  });

  it('serves the OpenAPI document in every form only with credentials', async () => {
    for (const path of ['/api/docs-json', '/api/docs-yaml']) {
      await request(t.url).get(path).expect(401);
      await request(t.url).get(path).set(t.auth).expect(200);
    }
  });

  it('names the bad field when the sign-in body is malformed', async () => {
    const response = await request(t.url).post('/auth/login').send({ apiKey: 42, extra: true }).expect(400);
    expect(response.body.message).toEqual(
      expect.arrayContaining(['apiKey must be a string', 'property extra should not exist']),
    );
  });

  it(`answers 429 with Retry-After after ${MAX_FAILED_SIGN_INS} failed sign-ins, even for the right key`, async () => {
    for (let attempt = 0; attempt < MAX_FAILED_SIGN_INS; attempt += 1) {
      await request(t.url)
        .post('/auth/login')
        .send({ apiKey: `guess-${attempt}` })
        .expect(401);
    }
    const blocked = await request(t.url).post('/auth/login').send({ apiKey: TEST_API_KEY }).expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
  });
});
