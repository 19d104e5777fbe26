import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createTestApp, TestApp } from '../../test/support/test-app';
import { ROLES, type Role } from '../common/actor';
import { ROLE_EXTENSION } from './roles.decorator';
import { SESSION_COOKIE } from './session-token';
import { MAX_FAILED_BEARER_KEYS } from './sign-in-limiter';

const PASSWORD = 'correct horse battery';
/** Routes anyone may call: probes, sign-in, and the webhook (it authenticates itself). */
const PUBLIC_ROUTES = [
  'GET /health',
  'GET /health/live',
  'GET /health/ready',
  'POST /auth/login',
  'POST /auth/logout',
  'POST /auth/accept',
  'POST /api/webhooks/chat2desk',
];

interface Operation {
  method: string;
  path: string;
  role?: Role;
}

describe('team access: people, roles, tokens (real app over HTTP)', () => {
  let t: TestApp;
  const tokens = {} as Record<Role, string>;
  const people = {} as Record<Role, { id: string; email: string }>;

  beforeAll(async () => {
    // Behind a proxy: failed sign-ins from several client addresses (X-Forwarded-For).
    t = await createTestApp({ env: { TRUST_PROXY: 'true' } });
    for (const role of ROLES) {
      const email = `${role}@example.com`;
      const created = await request(t.url)
        .post('/api/users')
        .set(t.auth)
        .send({ email, name: `The ${role}`, role, password: PASSWORD })
        .expect(201);
      people[role] = { id: created.body.id, email };
      const cookie = await signIn(email);
      const token = await request(t.url)
        .post('/api/tokens')
        .set('Cookie', cookie)
        .set('Sec-Fetch-Site', 'same-origin')
        .send({ name: `${role} script` })
        .expect(201);
      expect(token.body).toMatchObject({ role, userId: created.body.id });
      tokens[role] = token.body.token;
    }
  });
  afterAll(() => t.close());

  async function signIn(email: string, password = PASSWORD): Promise<string> {
    const login = await request(t.url).post('/auth/login').send({ email, password }).expect(200);
    return (login.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
  }

  const bearer = (role: Role) => ({ Authorization: `Bearer ${tokens[role]}` });

  async function operations(): Promise<Operation[]> {
    const document = (await request(t.url).get('/api/docs-json').set(t.auth).expect(200)).body as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    return Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        role: operation[ROLE_EXTENSION] as Role | undefined,
      })),
    );
  }

  it('gives every route of the OpenAPI document a role, except the public ones', async () => {
    const all = await operations();
    expect(all.length).toBeGreaterThan(30);
    const withoutRole = all.filter((operation) => !operation.role).map((op) => `${op.method} ${op.path}`);
    expect(withoutRole.sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('answers 403 to every route a role may not call, and lets it through otherwise', async () => {
    const protectedRoutes = (await operations()).filter((operation) => operation.role);
    const unexpected: string[] = [];
    for (const operation of protectedRoutes) {
      // Any id: the role is checked before the route looks anything up.
      const path = operation.path.replace(/\{[^}]+\}/g, randomUUID());
      for (const role of ROLES) {
        const response = await request(t.url)
          [operation.method.toLowerCase() as 'get'](path)
          .set(bearer(role))
          .set('Content-Type', 'application/json')
          .send(operation.method === 'GET' || operation.method === 'DELETE' ? undefined : '{}');
        const allowed = ROLES.indexOf(role) >= ROLES.indexOf(operation.role!);
        const refused = response.status === 403 && response.body.error === 'role_forbidden';
        if (allowed === refused || response.status === 401)
          unexpected.push(`${role} ${operation.method} ${operation.path} → ${response.status}`);
      }
    }
    expect(unexpected).toEqual([]);
  }, 120_000);

  it('locks a disabled person out at once: sessions and tokens stop working', async () => {
    const created = await request(t.url)
      .post('/api/users')
      .set(t.auth)
      .send({ email: 'leaver@example.com', name: 'Leaver', role: 'manager', password: PASSWORD })
      .expect(201);
    const cookie = await signIn('leaver@example.com');
    const token = (
      await request(t.url)
        .post('/api/tokens')
        .set('Cookie', cookie)
        .set('Sec-Fetch-Site', 'same-origin')
        .send({ name: 'leaver script' })
        .expect(201)
    ).body.token as string;
    await request(t.url).get('/api/lists').set('Authorization', `Bearer ${token}`).expect(200);

    await request(t.url)
      .patch(`/api/users/${created.body.id}`)
      .set(t.auth)
      .send({ disabled: true })
      .expect(200);
    await request(t.url).get('/api/lists').set('Cookie', cookie).expect(401);
    await request(t.url).get('/api/lists').set('Authorization', `Bearer ${token}`).expect(401);
    await request(t.url)
      .post('/auth/login')
      .send({ email: 'leaver@example.com', password: PASSWORD })
      .expect(401);
  });

  it('ends the sessions of a person whose role changes; the new role applies to their tokens at once', async () => {
    await request(t.url)
      .post('/api/users')
      .set(t.auth)
      .send({ email: 'mover@example.com', name: 'Mover', role: 'manager', password: PASSWORD })
      .expect(201);
    const cookie = await signIn('mover@example.com');
    const token = (
      await request(t.url)
        .post('/api/tokens')
        .set('Cookie', cookie)
        .set('Sec-Fetch-Site', 'same-origin')
        .send({ name: 'mover script' })
        .expect(201)
    ).body.token as string;
    const list = { name: `mover ${randomUUID()}` };
    await request(t.url).post('/api/lists').set('Authorization', `Bearer ${token}`).send(list).expect(201);
    const id = (await request(t.url).get('/api/users').set(t.auth).expect(200)).body.find(
      (user: { email: string }) => user.email === 'mover@example.com',
    ).id;
    await request(t.url).patch(`/api/users/${id}`).set(t.auth).send({ role: 'viewer' }).expect(200);
    await request(t.url).get('/api/me').set('Cookie', cookie).expect(401);
    await request(t.url)
      .post('/api/lists')
      .set('Authorization', `Bearer ${token}`)
      .send({ name: `${list.name} 2` })
      .expect(403);
  });

  it('names the person, or their token, in the audit log', async () => {
    const list = await request(t.url)
      .post('/api/lists')
      .set(bearer('manager'))
      .send({ name: `audited ${randomUUID()}` })
      .expect(201);
    const optOut = await request(t.url)
      .post('/api/opt-outs')
      .set(bearer('manager'))
      .send({ phone: '+79161230077', reason: 'asked by phone' })
      .expect(201);
    expect(optOut.body.phone).toBe('79161230077');
    const audit = await request(t.url)
      .get('/api/audit')
      .query({ actorId: people.manager.id })
      .set(bearer('viewer'))
      .expect(200);
    const actions = audit.body.items.map((event: { action: string; actor: string; actorName: string }) => [
      event.action,
      event.actor,
      event.actorName,
    ]);
    const byToken = ['token', 'token «manager script» of The manager <manager@example.com>'];
    expect(actions).toEqual(
      expect.arrayContaining([
        ['list.created', ...byToken],
        ['contact.opted_out', ...byToken],
        ['token.created', 'user', 'The manager <manager@example.com>'],
      ]),
    );
    expect(list.body.id).toBeDefined();
  });

  it('invites a person without a password; the invitation sets it once (at least 12 characters)', async () => {
    const invited = await request(t.url)
      .post('/api/users')
      .set(t.auth)
      .send({ email: 'new@example.com', name: 'Новый сотрудник', role: 'viewer' })
      .expect(201);
    expect(invited.body).toMatchObject({ hasPassword: false, role: 'viewer' });
    const { inviteToken } = invited.body;
    await request(t.url)
      .post('/auth/login')
      .send({ email: 'new@example.com', password: 'anything-at-all' })
      .expect(401);
    const short = await request(t.url)
      .post('/auth/accept')
      .send({ token: inviteToken, password: 'short' })
      .expect(400);
    expect(short.body.message).toMatch(/password: must be at least 12 characters/);
    await request(t.url).post('/auth/accept').send({ token: inviteToken, password: PASSWORD }).expect(200);
    await request(t.url).post('/auth/accept').send({ token: inviteToken, password: PASSWORD }).expect(400);
    const me = await request(t.url)
      .get('/api/me')
      .set('Cookie', await signIn('new@example.com'))
      .expect(200);
    expect(me.body).toMatchObject({
      actor: 'user',
      role: 'viewer',
      user: { name: 'Новый сотрудник <new@example.com>' },
    });
  });

  it('keeps a token at most its owner’s role, and refuses to demote or disable the last admin', async () => {
    const cookie = await signIn(people.manager.email);
    const tooHigh = await request(t.url)
      .post('/api/tokens')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ name: 'sneaky', role: 'admin' })
      .expect(400);
    expect(tooHigh.body.message).toMatch(/at most your own role \(manager\)/);
    const lastAdmin = await request(t.url)
      .patch(`/api/users/${people.admin.id}`)
      .set(t.auth)
      .send({ role: 'manager' })
      .expect(403);
    expect(lastAdmin.body.error).toBe('last_admin');
  });

  it('refuses cookie-authenticated changes from another origin (CSRF) and form-encoded bodies', async () => {
    const cookie = await signIn(people.manager.email);
    const body = { name: `csrf ${randomUUID()}` };
    // A page on the same host but another port: same-site, not same-origin.
    const fromOtherPort = await request(t.url)
      .post('/api/lists')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-site')
      .set('Origin', 'http://127.0.0.1:1')
      .send(body)
      .expect(403);
    expect(fromOtherPort.body.error).toBe('cross_site_request');
    await request(t.url)
      .post('/api/lists')
      .set('Cookie', cookie)
      .set('Origin', 'http://127.0.0.1:1')
      .send(body)
      .expect(403);
    await request(t.url).post('/api/lists').set('Cookie', cookie).send(body).expect(403);
    await request(t.url)
      .post('/api/lists')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send(body)
      .expect(415);
    await request(t.url).post('/api/lists').set('Cookie', cookie).set('Origin', t.url).send(body).expect(201);
  });

  it('limits failed sign-ins per account, whatever the address, and wrong Bearer keys per address', async () => {
    for (let attempt = 0; attempt < 5; attempt += 1)
      await request(t.url)
        .post('/auth/login')
        .set('X-Forwarded-For', `10.0.0.${attempt}`)
        .send({ email: people.viewer.email, password: `wrong password ${attempt}` })
        .expect(401);
    await request(t.url)
      .post('/auth/login')
      .send({ email: people.viewer.email, password: PASSWORD })
      .expect(429);

    const statuses: number[] = [];
    for (let attempt = 0; attempt <= MAX_FAILED_BEARER_KEYS; attempt += 1)
      statuses.push(
        (
          await request(t.url)
            .get('/api/lists')
            .set('X-Forwarded-For', '10.9.9.9')
            .set('Authorization', `Bearer wrong-${attempt}`)
        ).status,
      );
    expect(statuses.slice(0, MAX_FAILED_BEARER_KEYS).every((status) => status === 401)).toBe(true);
    expect(statuses[MAX_FAILED_BEARER_KEYS]).toBe(429);
  });

  it('a password change ends every session of the person', async () => {
    await request(t.url)
      .post('/api/users')
      .set(t.auth)
      .send({ email: 'changer@example.com', name: 'Changer', role: 'viewer', password: PASSWORD })
      .expect(201);
    const [first, second] = [await signIn('changer@example.com'), await signIn('changer@example.com')];
    const change = (currentPassword: string) =>
      request(t.url)
        .post('/api/me/password')
        .set('Cookie', first)
        .set('Sec-Fetch-Site', 'same-origin')
        .send({ currentPassword, newPassword: 'a brand new passphrase' });
    expect((await change('not my password').expect(400)).body.message).toMatch(/currentPassword/);
    await change(PASSWORD).expect(204);
    await request(t.url).get('/api/me').set('Cookie', first).expect(401);
    await request(t.url).get('/api/me').set('Cookie', second).expect(401);
    await signIn('changer@example.com', 'a brand new passphrase');
  });

  it('ends a signed-out session on the server: the old cookie no longer works', async () => {
    const cookie = await signIn(people.admin.email);
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    await request(t.url).get('/api/me').set('Cookie', cookie).expect(200);
    await request(t.url).post('/auth/logout').set('Cookie', cookie).expect(204);
    await request(t.url).get('/api/me').set('Cookie', cookie).expect(401);
  });
});
