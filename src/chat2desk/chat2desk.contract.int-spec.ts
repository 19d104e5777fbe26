import { createTestDatabase, TestDatabase } from '../../test/support/test-database';
import { RunningSandbox, startSandboxServer } from '../sandbox/sandbox-server';
import {
  Chat2DeskAmbiguousError,
  Chat2DeskAuthFailedError,
  Chat2DeskClientAlreadyExistsError,
  Chat2DeskClientCreationDisabledError,
  Chat2DeskError,
  Chat2DeskNotFoundError,
  Chat2DeskQuotaExhaustedError,
  Chat2DeskRateLimitedError,
  Chat2DeskTransientError,
  Chat2DeskValidationError,
  mayHaveBeenProcessed,
} from './chat2desk.errors';
import { Chat2DeskStack } from './chat2desk.stack';
import { stackPool } from '../../test/support/chat2desk-stack';

/** Client × sandbox over real HTTP, with the gate on a real database. */
describe('Chat2DeskClient against the sandbox', () => {
  let database: TestDatabase;
  let sandbox: RunningSandbox;
  let stack: Chat2DeskStack;
  const stacks = stackPool(() => ({ sandbox, dataSource: database.dataSource }));
  const newStack = stacks.open;

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startSandboxServer({ rateLimitPerSecond: 0, seed: 3 });
  });
  beforeEach(async () => {
    // The sandbox forgets its counters; so does our month row (a refusal by the service raises it to the limit).
    await database.dataSource.query(`DELETE FROM chat2desk_quota_month`);
    sandbox.reset();
    sandbox.configure({
      rateLimitPerSecond: 0,
      mode: 'normal',
      monthlyLimit: null,
      clientCreation: 'upsert',
      errorsWithHttp200: false,
      errorsNestedInData: false,
      faults: {},
    });
    stack = newStack();
  });
  afterEach(() => stacks.closeAll());
  afterAll(async () => {
    await sandbox.close();
    await database.drop();
  });

  async function failure(promise: Promise<unknown>): Promise<Chat2DeskError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Chat2DeskError);
    const typed = error as Chat2DeskError;
    // Whatever the failure, the token never rides along.
    expect(`${typed.message} ${typed.stack} ${JSON.stringify(typed)}`).not.toContain(sandbox.token);
    return typed;
  }

  it('speaks every endpoint a campaign needs', async () => {
    const client = stack.client;
    expect(await client.apiInfo()).toMatchObject({ mode: 'normal', requests_this_month: 1 });
    expect((await client.apiModes()).map((mode) => mode.name)).toEqual([
      'disabled',
      'demo',
      'normal',
      'unlimited',
    ]);
    expect(Object.keys(await client.transports())).toEqual(
      expect.arrayContaining(['whatsapp', 'viber', 'telegram', 'sms']),
    );
    expect((await client.channels()).meta.total).toBe(2);
    const templates = await client.templates();
    expect(await client.template(templates[0].id)).toEqual(templates[0]);
    expect((await client.operators({ limit: 1 })).data).toHaveLength(1);

    const created = await client.createClient('79310001122', 'whatsapp', 1);
    expect(await client.findClientByPhone('79310001122')).toMatchObject({ id: created.id });
    expect(await client.findClientByPhone('79999999999')).toBeUndefined();
    expect((await client.clients({ limit: 200 })).meta).toEqual({ total: 1, limit: 200, offset: 0 });
    expect(await client.updateClient(created.id, { nickname: 'Пётр', comment: 'VIP' })).toMatchObject({
      assigned_name: 'Пётр',
      comment: 'VIP',
    });
    expect(await client.clientTransports(created.id)).toEqual([{ channel_id: 1, transports: ['whatsapp'] }]);

    const sent = await client.sendMessage({
      clientId: created.id,
      text: 'Привет',
      transport: 'whatsapp',
      channelId: 1,
    });
    expect(sent).toMatchObject({
      message_id: 1,
      client_id: created.id,
      transport: 'whatsapp',
      channel_id: 1,
    });
    expect(await client.getMessage(sent.message_id!)).toMatchObject({
      id: 1,
      text: 'Привет',
      type: 'to_client',
      recipient_status: 'sent',
    });
    const page = await client.messages({
      clientId: created.id,
      type: 'to_client',
      startId: 1,
      order: 'asc',
      limit: 50,
    });
    expect(page.data.map((message) => message.id)).toEqual([1]);

    expect(await client.registerWebhook({ url: 'http://127.0.0.1:9/hook', name: 'campaigns' })).toMatchObject(
      { events: ['inbox', 'outbox', 'outbox_status'] },
    );
    await client.setCompanyWebhook('http://127.0.0.1:9/old');
    expect((await client.apiInfo()).hook).toBe('http://127.0.0.1:9/old');
  });

  it('keeps working when the send answer has no message_id (v1.09 manual)', async () => {
    sandbox.configure({ omitMessageId: true });
    const [{ id }] = sandbox.seedClients({ phones: ['79000000001'], transport: 'viber' });
    const sent = await stack.client.sendMessage({ clientId: id, text: 'hi' });
    expect(sent.message_id).toBeUndefined();
    expect((await stack.client.messages({ clientId: id, type: 'to_client' })).data[0]).toMatchObject({
      text: 'hi',
    });
    sandbox.configure({ omitMessageId: false });
  });

  describe.each([
    ['HTTP status codes', { errorsWithHttp200: false, errorsNestedInData: false }],
    ['HTTP 200 + status:error', { errorsWithHttp200: true, errorsNestedInData: false }],
    ['HTTP 200 + error nested in data', { errorsWithHttp200: true, errorsNestedInData: true }],
  ])('error classes with %s', (_name, envelope) => {
    beforeEach(() => sandbox.configure(envelope));

    it('AuthFailed for a wrong token and for a disabled API', async () => {
      const wrong = newStack({ config: { token: 'wrong-token-123' } });
      const error = await failure(wrong.client.apiInfo());
      expect(error).toBeInstanceOf(Chat2DeskAuthFailedError);
      expect(error.message).toContain('Token is not correct');
      expect(error.message).not.toContain('wrong-token-123');
      sandbox.configure({ mode: 'disabled' });
      expect(await failure(stack.client.channels())).toBeInstanceOf(Chat2DeskAuthFailedError);
    });

    it('RateLimited for "Number of API requests exceeded"', async () => {
      sandbox.configure({ rateLimitPerSecond: 1 });
      const results = await Promise.allSettled([
        stack.client.templates(),
        stack.client.templates(),
        stack.client.templates(),
      ]);
      const rejected = results.filter(
        (result): result is PromiseRejectedResult => result.status === 'rejected',
      );
      expect(rejected.length).toBeGreaterThanOrEqual(1);
      expect(rejected[0].reason).toBeInstanceOf(Chat2DeskRateLimitedError);
    });

    it('QuotaExhausted (from the service) for "API calls exceeded API limit per month"', async () => {
      sandbox.configure({ monthlyLimit: sandbox.state.requestsThisMonth });
      const error = await failure(stack.client.templates());
      expect(error).toBeInstanceOf(Chat2DeskQuotaExhaustedError);
      expect((error as Chat2DeskQuotaExhaustedError).refusedLocally).toBe(false);
    });

    it('ClientAlreadyExists carries the existing id; the manual upsert returns the client', async () => {
      const first = await stack.client.createClient('79310001122', 'whatsapp');
      expect((await stack.client.createClient('79310001122', 'sms')).id).toBe(first.id);
      sandbox.configure({ clientCreation: 'already-exists' });
      const error = await failure(stack.client.createClient('79310001122', 'sms'));
      expect(error).toBeInstanceOf(Chat2DeskClientAlreadyExistsError);
      expect((error as Chat2DeskClientAlreadyExistsError).existingClientId).toBe(first.id);
    });

    it('ClientCreationDisabled (a validation error) when the account cannot create clients', async () => {
      sandbox.configure({ clientCreation: 'disabled' });
      const error = await failure(stack.client.createClient('79310001122', 'whatsapp'));
      expect(error).toBeInstanceOf(Chat2DeskClientCreationDisabledError);
      expect(error).toBeInstanceOf(Chat2DeskValidationError);
    });

    it('Validation with the field messages', async () => {
      const error = await failure(stack.client.sendMessage({ clientId: 12345, text: '' }));
      expect(error).toBeInstanceOf(Chat2DeskValidationError);
      expect((error as Chat2DeskValidationError).fieldErrors).toMatchObject({
        client_id: ['Client not found'],
      });
      expect(error.retryable).toBe(false);
    });

    it('NotFound for "Page not found"', async () => {
      expect(await failure(stack.client.getMessage(99_999))).toBeInstanceOf(Chat2DeskNotFoundError);
    });

    it('Transient for a 500 before processing', async () => {
      sandbox.configure({ faults: { 'GET /v1/clients': { error500Before: 1 } } });
      const error = await failure(stack.client.clients());
      expect(error).toBeInstanceOf(Chat2DeskTransientError);
      expect(mayHaveBeenProcessed(error)).toBe(false);
    });
  });

  it('Transient, not processed, when the connection is refused', async () => {
    const closed = await startSandboxServer();
    const url = closed.url;
    await closed.close();
    const unreachable = newStack({ config: { apiUrl: url } });
    const error = await failure(unreachable.client.templates());
    expect(error).toBeInstanceOf(Chat2DeskTransientError);
    expect(mayHaveBeenProcessed(error)).toBe(false);
  });

  it('a send answered 500 is transient but may have been processed; reset or slow after is ambiguous', async () => {
    const [{ id }] = sandbox.seedClients({ phones: ['79000000001'] });
    sandbox.configure({ faults: { 'POST /v1/messages': { error500After: 1 } } });
    const after500 = await failure(stack.client.sendMessage({ clientId: id, text: 'one' }));
    expect(after500).toBeInstanceOf(Chat2DeskTransientError);
    expect(mayHaveBeenProcessed(after500)).toBe(true);

    sandbox.configure({ faults: { 'POST /v1/messages': { resetAfter: 1 } } });
    expect(await failure(stack.client.sendMessage({ clientId: id, text: 'two' }))).toBeInstanceOf(
      Chat2DeskAmbiguousError,
    );

    sandbox.configure({ faults: { 'POST /v1/messages': { slowAfterMs: 1_000, slowAfterProbability: 1 } } });
    const impatient = newStack({ config: { requestTimeoutMs: 150 } });
    const slow = await failure(impatient.client.sendMessage({ clientId: id, text: 'three' }));
    expect(slow).toBeInstanceOf(Chat2DeskAmbiguousError);
    expect(slow.message).toContain('150 ms');
    // All three were processed by the service: that is why they must be looked up, not resent.
    expect(sandbox.ledger().messagesSent).toBe(3);
  });

  it('a read cut off after it was sent is transient (reads are safe to repeat)', async () => {
    sandbox.configure({ faults: { 'GET /v1/messages': { resetAfter: 1 } } });
    const error = await failure(stack.client.messages({ type: 'to_client' }));
    expect(error).toBeInstanceOf(Chat2DeskTransientError);
  });

  it('the ledger counts exactly the requests the sandbox received, by endpoint, kind and outcome', async () => {
    await database.dataSource.query('DELETE FROM chat2desk_request_ledger');
    const [{ id }] = sandbox.seedClients({ phones: ['79000000001'] });
    await stack.client.apiInfo();
    await stack.client.sendMessage({ clientId: id, text: 'a' }, { campaignId: 'c-1' });
    await stack.client.sendMessage({ clientId: id, text: 'b' }, { campaignId: 'c-1' });
    await stack.client.messages({ clientId: id }, { campaignId: 'c-1' });
    await stack.client.findClientByPhone('79000000001', { campaignId: 'c-1' });
    await stack.client.getMessage(999).catch(() => undefined);
    sandbox.configure({ faults: { 'POST /v1/messages': { resetAfter: 1 } } });
    await stack.client.sendMessage({ clientId: id, text: 'c' }, { campaignId: 'c-1' }).catch(() => undefined);

    const month = new Date().toISOString().slice(0, 7);
    const rows = await stack.ledger.rows({ month });
    const byEndpoint: Record<string, number> = {};
    for (const row of rows) byEndpoint[row.endpoint] = (byEndpoint[row.endpoint] ?? 0) + row.count;
    expect(byEndpoint).toEqual(sandbox.ledger().requestsByRoute);
    expect(await stack.ledger.countsByKind('c-1')).toEqual({ send: 3, status_poll: 1, lookup: 1 });
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          endpoint: 'POST /v1/messages',
          outcome: 'ambiguous',
          campaignId: 'c-1',
          count: 1,
        }),
        expect.objectContaining({
          endpoint: 'GET /v1/messages/:id',
          outcome: 'not_found',
          campaignId: null,
          count: 1,
        }),
      ]),
    );
  });
});
