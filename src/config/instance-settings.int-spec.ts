import request from 'supertest';
import { createTestApp, TEST_API_KEY, TestApp } from '../../test/support/test-app';
import { SESSION_COOKIE } from '../auth/session-token';
import { MAX_FAILED_SIGN_INS } from '../auth/sign-in-limiter';

describe('INSTANCE_ROLE=worker', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { INSTANCE_ROLE: 'worker' } });
  });
  afterAll(() => t.close());

  it('serves only the probes and the metrics over HTTP, and runs the loops', async () => {
    await request(t.url).get('/health/live').expect(200);
    await request(t.url).get('/health').expect(200);
    await request(t.url).get('/metrics').set(t.auth).expect(200);
    const refused = await request(t.url).get('/api/lists').set(t.auth).expect(404);
    expect(refused.body).toMatchObject({ error: 'not_served_here' });
    await request(t.url).get('/').expect(404);
    expect(t.config.instanceRole).toBe('worker');
  });
});

describe('INSTANCE_ROLE=api', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { INSTANCE_ROLE: 'api', SCHEDULER_ENABLED: 'true' } });
  });
  afterAll(() => t.close());

  it('serves the API and runs no loops, whatever SCHEDULER_ENABLED says', async () => {
    await request(t.url).get('/api/lists').set(t.auth).expect(200);
    expect(t.config.schedulerEnabled).toBe(false);
  });
});

describe('TRUST_PROXY', () => {
  async function failedSignIns(t: TestApp, from: string): Promise<number[]> {
    const statuses: number[] = [];
    for (let attempt = 0; attempt <= MAX_FAILED_SIGN_INS; attempt += 1) {
      const response = await request(t.url)
        .post('/auth/login')
        .set('X-Forwarded-For', from)
        .send({ apiKey: `guess-${attempt}` });
      statuses.push(response.status);
    }
    return statuses;
  }

  /** One client's guesses lock it out; what does another client behind the same proxy get? */
  async function otherClientAfterGuesses(env: Record<string, string>): Promise<number> {
    const t = await createTestApp({ env });
    try {
      expect((await failedSignIns(t, '203.0.113.1')).at(-1)).toBe(429);
      const other = await request(t.url)
        .post('/auth/login')
        .set('X-Forwarded-For', '203.0.113.2')
        .send({ apiKey: TEST_API_KEY });
      return other.status;
    } finally {
      await t.close();
    }
  }

  it('behind a proxy, limits sign-ins per client address, not per proxy', async () => {
    expect(await otherClientAfterGuesses({ TRUST_PROXY: 'loopback' })).toBe(200);
  });

  it('without it, ignores X-Forwarded-For (a client cannot pick its own address)', async () => {
    expect(await otherClientAfterGuesses({})).toBe(429);
  });

  /** The session cookie a sign-in sets, seen from behind a proxy that terminated HTTPS (or not). */
  async function sessionCookie(env: Record<string, string>, forwardedProto?: string): Promise<string> {
    const t = await createTestApp({ env });
    try {
      const login = request(t.url).post('/auth/login');
      if (forwardedProto) login.set('X-Forwarded-Proto', forwardedProto);
      const response = await login.send({ apiKey: TEST_API_KEY }).expect(200);
      return (response.headers['set-cookie'] as unknown as string[]).find((cookie) =>
        cookie.startsWith(`${SESSION_COOKIE}=`),
      )!;
    } finally {
      await t.close();
    }
  }

  it('behind a proxy, marks the session cookie Secure when the client came over HTTPS', async () => {
    expect(await sessionCookie({ TRUST_PROXY: 'loopback' }, 'https')).toMatch(/;\s*Secure/i);
    expect(await sessionCookie({ TRUST_PROXY: 'loopback' }, 'http')).not.toMatch(/Secure/i);
  });

  it('without it, X-Forwarded-Proto does not make a plain HTTP request Secure', async () => {
    expect(await sessionCookie({}, 'https')).not.toMatch(/Secure/i);
  });
});
