import { createTestApp, TestApp } from '../../test/support/test-app';
import { CampaignScheduler } from './scheduling/campaign-scheduler';
import {
  campaignState,
  createContactList,
  moveRecipients,
  recipientsOf,
} from '../../test/support/campaign.factory';

/** The campaigns module inside the whole application: auth guard, wiring, scheduler. */
describe('campaigns in the full app', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  }, 180_000);

  afterAll(() => testApp?.close());

  it('requires the API key, then creates, starts, runs and completes a campaign', async () => {
    const listId = await createContactList(testApp.database.dataSource, [
      { phone: '79180000001', name: 'Anna' },
    ]);
    const body = JSON.stringify({
      name: 'Full app',
      listId,
      text: 'Hi {{name}}',
      transport: 'sms',
      channelId: 1,
    });
    const post = (path: string, auth: Record<string, string>, payload = '{}') =>
      fetch(`${testApp.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: payload,
      });

    expect((await post('/api/campaigns', {}, body)).status).toBe(401);
    const created = await post('/api/campaigns', testApp.auth, body);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await post(`/api/campaigns/${id}/start`, testApp.auth)).status).toBe(200);

    await testApp.app.get(CampaignScheduler).tick();
    const { dataSource } = testApp.database;
    expect((await campaignState(dataSource, id)).state).toBe('running');
    expect(await recipientsOf(dataSource, id)).toMatchObject([{ phone: '79180000001', text: 'Hi Anna' }]);

    await moveRecipients(dataSource, id, 'pending', 'sent');
    await testApp.app.get(CampaignScheduler).tick();
    const campaign = await fetch(`${testApp.url}/api/campaigns/${id}`, { headers: testApp.auth }).then(
      (response) => response.json(),
    );
    expect(campaign).toMatchObject({ state: 'completed', counts: { total: 1, sent: 1 }, problems: [] });
  });
});
