import { createServer, IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { RunningSandbox, SandboxOptions, startSandboxServer } from './sandbox-server';

interface Answer {
  status: number;
  body: {
    status?: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON of the API
    data?: any;
    meta?: { total: number; limit: number; offset: number };
    message?: string;
    errors?: Record<string, string[]>;
  };
}

async function call(
  sandbox: RunningSandbox,
  method: string,
  path: string,
  body?: unknown,
  token = sandbox.token,
): Promise<Answer> {
  const response = await fetch(sandbox.url + path, {
    method,
    headers: { ...(token ? { Authorization: token } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

describe('Chat2Desk sandbox', () => {
  let sandbox: RunningSandbox;
  const start = async (options: SandboxOptions = {}) => {
    sandbox = await startSandboxServer({ rateLimitPerSecond: 0, ...options });
    return sandbox;
  };
  afterEach(() => sandbox?.close());

  it('answers the manual envelopes and refuses a missing or wrong token with the live texts', async () => {
    await start();
    const info = await call(sandbox, 'GET', '/v1/companies/api_info');
    expect(info).toMatchObject({
      status: 200,
      body: { status: 'success', data: { mode: 'normal', requests_this_month: 1 } },
    });
    const channels = await call(sandbox, 'GET', '/v1/channels');
    expect(channels.body.data.map((channel: { transports: string[] }) => channel.transports)).toEqual([
      ['whatsapp', 'sms'],
      ['viber', 'telegram'],
    ]);
    expect(channels.body.meta).toEqual({ total: 2, limit: 20, offset: 0 });
    expect((await call(sandbox, 'GET', '/v1/templates/2')).body.data.text).toContain('{{name|friend}}');
    expect(await call(sandbox, 'GET', '/v1/clients', undefined, '')).toMatchObject({
      status: 401,
      body: { status: 'error', message: 'You have to specify your token' },
    });
    expect(await call(sandbox, 'GET', '/v1/clients', undefined, 'nope')).toMatchObject({
      status: 401,
      body: { message: 'Token is not correct' },
    });
    expect(await call(sandbox, 'GET', '/v1/nothing/here')).toMatchObject({
      status: 404,
      body: { message: 'Page not found' },
    });
  });

  it('pages lists by at most 200, clamping or refusing a larger limit as configured', async () => {
    await start();
    sandbox.seedClients({ count: 450, phonePrefix: '7911' });
    const clamped = await call(sandbox, 'GET', '/v1/clients?limit=500&offset=400');
    expect(clamped.body.meta).toEqual({ total: 450, limit: 200, offset: 400 });
    expect(clamped.body.data).toHaveLength(50);
    sandbox.configure({ oversizeLimit: 'error' });
    expect(await call(sandbox, 'GET', '/v1/clients?limit=201')).toMatchObject({
      status: 400,
      body: { errors: { limit: [expect.stringContaining('200')] } },
    });
    const byPhone = await call(sandbox, 'GET', '/v1/clients?phone=79110000007');
    expect(byPhone.body.data).toEqual([expect.objectContaining({ id: 7, phone: '79110000007' })]);
  });

  it('takes POST /v1/clients from the query string or JSON, with all three behaviours for a known phone', async () => {
    await start({ clientCreation: 'upsert' });
    const created = await call(
      sandbox,
      'POST',
      '/v1/clients?phone=79310001122&transport=whatsapp&channel_id=1',
    );
    expect(created.body.data).toMatchObject({ id: 1, phone: '79310001122' });
    const upserted = await call(sandbox, 'POST', '/v1/clients', {
      phone: '79310001122',
      transport: 'viber',
      channel_id: 2,
    });
    expect(upserted.body.data.id).toBe(1);
    expect((await call(sandbox, 'GET', '/v1/clients/1/transport')).body.data).toEqual([
      { channel_id: 1, transports: ['whatsapp'] },
      { channel_id: 2, transports: ['viber'] },
    ]);
    sandbox.configure({ clientCreation: 'already-exists' });
    const exists = await call(sandbox, 'POST', '/v1/clients?phone=79310001122&transport=sms');
    expect(exists.body.errors?.client).toEqual([expect.stringContaining('client already exist'), '{"id":1}']);
    expect(
      (await call(sandbox, 'POST', '/v1/clients?phone=79310001123&transport=telegram')).body.errors
        ?.transport,
    ).toBeDefined();
    sandbox.configure({ clientCreation: 'disabled' });
    expect((await call(sandbox, 'POST', '/v1/clients?phone=79310001124&transport=sms')).body.message).toMatch(
      /disabled/,
    );
  });

  it('accepts a WhatsApp message before the new-client delay but records the violation', async () => {
    let now = Date.now();
    await start({ now: () => now, whatsappNewClientDelaySeconds: 420 });
    const client = (await call(sandbox, 'POST', '/v1/clients?phone=79310001122&transport=whatsapp')).body
      .data;
    now += 60_000;
    const early = await call(sandbox, 'POST', '/v1/messages', {
      client_id: client.id,
      text: 'too early',
      type: 'to_client',
    });
    expect(early.body).toMatchObject({
      status: 'success',
      data: { message_id: 1, transport: 'whatsapp', client_id: client.id },
    });
    now += 420_000;
    await call(sandbox, 'POST', '/v1/messages', { client_id: client.id, text: 'on time' });
    await call(sandbox, 'POST', '/v1/messages', { client_id: client.id, text: 'on time' });
    const ledger = (await fetch(`${sandbox.adminUrl}/ledger`, {
      headers: { Authorization: sandbox.token },
    }).then((r) => r.json())) as ReturnType<RunningSandbox['ledger']>;
    expect(ledger.violations).toEqual([
      expect.objectContaining({ messageId: 1, clientId: client.id, earlyBySeconds: 360 }),
    ]);
    expect(ledger).toMatchObject({
      messagesSent: 3,
      duplicateSends: 1,
      messagesByClient: { [client.id]: 3 },
    });
    expect(ledger.requestsByRoute['POST /v1/messages']).toBe(3);
  });

  it('progresses statuses lazily and deterministically for a seed', async () => {
    let now = 1_000_000;
    const statusesAfter = async (seed: number) => {
      now = 1_000_000;
      await start({
        seed,
        now: () => now,
        statuses: { deliveredAfterMs: 1_000, readAfterMs: 5_000, failRate: 0.2, readRate: 0.5 },
      });
      sandbox.seedClients({ count: 50, phonePrefix: '7922', transport: 'viber' });
      for (let id = 1; id <= 50; id += 1)
        await call(sandbox, 'POST', '/v1/messages', { client_id: id, text: `hello ${id}` });
      const sent = (await call(sandbox, 'GET', '/v1/messages?type=to_client&limit=200')).body.data.map(
        (m: { recipient_status: string }) => m.recipient_status,
      );
      now += 10_000;
      const later = (await call(sandbox, 'GET', '/v1/messages?type=to_client&limit=200')).body.data.map(
        (m: { recipient_status: string }) => m.recipient_status,
      );
      await sandbox.close();
      return { sent, later };
    };
    const first = await statusesAfter(42);
    expect(new Set(first.sent)).toEqual(new Set(['sent']));
    expect(new Set(first.later)).toEqual(new Set(['delivered', 'read', 'failed', 'not delivered']));
    expect((await statusesAfter(42)).later).toEqual(first.later);
    expect((await statusesAfter(7)).later).not.toEqual(first.later);
  });

  it('filters and pages messages by client, type, channel and start_id', async () => {
    await start();
    sandbox.seedClients({ phones: ['79000000001'], transport: 'whatsapp' });
    sandbox.seedClients({ phones: ['79000000002'], transport: 'telegram' });
    for (let index = 0; index < 5; index += 1) {
      await call(sandbox, 'POST', '/v1/messages', { client_id: 1 + (index % 2), text: `m${index}` });
    }
    await sandbox.inbox({ phone: '79000000001', text: 'reply' });
    const ids = async (query: string) =>
      (await call(sandbox, 'GET', `/v1/messages?${query}`)).body.data.map((m: { id: number }) => m.id);
    expect(await ids('client_id=1&type=to_client')).toEqual([1, 3, 5]);
    expect(await ids('type=from_client')).toEqual([6]);
    expect(await ids('channel_id=2')).toEqual([2, 4]);
    expect(await ids('type=to_client&start_id=3&limit=2')).toEqual([3, 4]);
    expect(await ids('start_id=3&direction_reverse=true')).toEqual([3, 2, 1]);
    expect(await ids('order=desc&limit=2&offset=1')).toEqual([5, 4]);
  });

  it('limits requests per second (429) and per month by mode, without counting admin calls', async () => {
    await start({ rateLimitPerSecond: 5, mode: 'unlimited' });
    // 12 at once span at most two calendar seconds of 5: at least two are refused.
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => call(sandbox, 'GET', '/v1/companies/api_info')),
    );
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(limited[0].body.message).toBe('Number of API requests exceeded');
    sandbox.configure({
      rateLimitPerSecond: 0,
      mode: 'demo',
      monthlyLimit: sandbox.state.requestsThisMonth + 5,
    });
    for (let index = 0; index < 5; index += 1)
      expect((await call(sandbox, 'GET', '/v1/operators')).status).toBe(200);
    const refused = await call(sandbox, 'GET', '/v1/operators');
    expect(refused).toMatchObject({
      status: 403,
      body: { message: 'API calls exceeded API limit per month' },
    });
    await fetch(`${sandbox.adminUrl}/ledger`, { headers: { Authorization: sandbox.token } });
    expect(sandbox.ledger()).toMatchObject({
      quotaRejected: 1,
      rateLimited: limited.length,
      requestsTotal: 18,
    });
  });

  it('answers errors with HTTP 200 or nested in data when configured', async () => {
    await start({ errorsWithHttp200: true, errorsNestedInData: true });
    const answer = await call(sandbox, 'GET', '/v1/clients/99');
    expect(answer).toEqual({ status: 200, body: { status: 'error', data: { message: 'Page not found' } } });
  });

  it('posts an inbox event to the registered webhooks', async () => {
    const received: unknown[] = [];
    const receiver = createServer((request: IncomingMessage, response) => {
      let text = '';
      request.on('data', (chunk) => (text += chunk));
      request.on('end', () => {
        received.push(JSON.parse(text));
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      await start();
      sandbox.seedClients({ phones: ['79000000009'] });
      await call(sandbox, 'POST', '/v1/webhooks', { url: hookUrl, name: 'campaigns', events: ['inbox'] });
      await call(sandbox, 'POST', '/v1/companies/web_hook', { url: hookUrl });
      const admin = await fetch(`${sandbox.adminUrl}/inbox`, {
        method: 'POST',
        headers: { Authorization: sandbox.token },
        body: JSON.stringify({ phone: '79000000009', text: 'СТОП' }),
      });
      expect(admin.status).toBe(200);
      expect(received).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            event: 'inbox',
            text: 'СТОП',
            client: expect.objectContaining({ phone: '79000000009' }),
          }),
          expect.objectContaining({ type: 'from_client', text: 'СТОП', client_id: 1 }),
        ]),
      );
    } finally {
      receiver.close();
    }
  });

  it('admin API: seeds clients in bulk, patches config at runtime, resets, and needs the token', async () => {
    await start();
    const admin = (method: string, path: string, body?: unknown, token = sandbox.token) =>
      fetch(`${sandbox.adminUrl}/${path}`, {
        method,
        headers: { Authorization: token },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await admin('GET', 'ledger', undefined, 'wrong')).status).toBe(401);
    const seeded = (await (
      await admin('POST', 'clients/bulk', { count: 3, phonePrefix: '7955', transport: 'sms' })
    ).json()) as { clients: unknown[] };
    expect(seeded.clients).toEqual([
      { id: 1, phone: '79550000001' },
      { id: 2, phone: '79550000002' },
      { id: 3, phone: '79550000003' },
    ]);
    const patched = (await (
      await admin('PATCH', 'config', { mode: 'demo', faults: { '*': { error500Before: 1 } } })
    ).json()) as { mode: string };
    expect(patched.mode).toBe('demo');
    expect((await call(sandbox, 'GET', '/v1/clients')).status).toBe(500);
    expect(sandbox.ledger().faultsInjected).toBe(1);
    await admin('POST', 'reset');
    expect(sandbox.ledger().requestsTotal).toBe(0);
    expect(sandbox.state.clients).toHaveLength(0);
  });
});
