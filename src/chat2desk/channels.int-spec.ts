import request from 'supertest';
import { createTestApp, TestApp } from '../../test/support/test-app';
import { SANDBOX_CHANNELS } from '../sandbox/sandbox-fixtures';

describe('GET /api/channels', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(() => testApp.close());

  const channelRequests = () => testApp.sandbox.ledger().requestsByRoute['GET /v1/channels'] ?? 0;

  it('lists the account channels with their transports, asking Chat2Desk once per 5 minutes', async () => {
    const first = await request(testApp.url).get('/api/channels').set(testApp.auth).expect(200);
    expect(first.body).toEqual(
      SANDBOX_CHANNELS.map(({ id, name, phone, transports }) => ({ id, name, phone, transports })),
    );
    await request(testApp.url).get('/api/channels').set(testApp.auth).expect(200);
    expect(channelRequests()).toBe(1);

    await request(testApp.url).get('/api/channels?refresh=true').set(testApp.auth).expect(200);
    expect(channelRequests()).toBe(2);
  });

  it('needs the API key', async () => {
    await request(testApp.url).get('/api/channels').expect(401);
  });
});
