import request from 'supertest';
import { createTestApp, TestApp } from '../../test/support/test-app';
import { Database } from '../database/database';
import { AuditService } from './audit.service';
import { CLI_ACTOR, SERVICE_KEY_ACTOR } from '../common/actor';

const PERSON = '5b0c1a6e-2f7d-4c33-9a51-0d7e4f1b2c3d';

describe('audit log (real app)', () => {
  let t: TestApp;
  let audit: AuditService;

  beforeAll(async () => {
    t = await createTestApp();
    audit = t.app.get(AuditService);
  });
  afterAll(() => t.close());

  it('records events and serves them newest first, filtered by entity, paged', async () => {
    await audit.record({
      actor: SERVICE_KEY_ACTOR,
      action: 'campaign.created',
      entityType: 'campaign',
      entityId: 'c-1',
      details: { name: 'Black Friday' },
    });
    await audit.record({
      actor: { kind: 'user', role: 'manager', id: PERSON, userId: PERSON, name: 'Анна <anna@example.com>' },
      action: 'campaign.started',
      entityType: 'campaign',
      entityId: 'c-1',
    });
    await audit.record({ actor: CLI_ACTOR, action: 'list.deleted', entityType: 'list', entityId: 7 });

    const forCampaign = await request(t.url)
      .get('/api/audit')
      .query({ entityType: 'campaign', entityId: 'c-1' })
      .set(t.auth)
      .expect(200);
    expect(forCampaign.body.total).toBe(2);
    expect(
      forCampaign.body.items.map((event: { action: string; actor: string; actorName: string }) => [
        event.action,
        event.actor,
        event.actorName,
      ]),
    ).toEqual([
      ['campaign.started', 'user', 'Анна <anna@example.com>'],
      ['campaign.created', 'api-key', 'API key'],
    ]);
    const byPerson = await request(t.url)
      .get('/api/audit')
      .query({ actorId: PERSON })
      .set(t.auth)
      .expect(200);
    expect(byPerson.body.items.map((event: { action: string }) => event.action)).toEqual([
      'campaign.started',
    ]);
    expect(forCampaign.body.items[1].details).toEqual({ name: 'Black Friday' });

    const page = await request(t.url)
      .get('/api/audit')
      .query({ limit: 1, offset: 0 })
      .set(t.auth)
      .expect(200);
    expect(page.body).toMatchObject({ total: 3, limit: 1, offset: 0 });
    expect(page.body.items[0]).toMatchObject({
      action: 'list.deleted',
      entityType: 'list',
      entityId: '7',
      actor: 'cli',
    });
  });

  it('commits an event with the transaction it describes, or not at all', async () => {
    await t.app
      .get(Database)
      .transaction(async (sql) => {
        await audit.record(
          {
            actor: SERVICE_KEY_ACTOR,
            action: 'campaign.cancelled',
            entityType: 'campaign',
            entityId: 'c-rolled-back',
          },
          sql,
        );
        throw new Error('the change failed');
      })
      .catch(() => undefined);
    const events = await request(t.url)
      .get('/api/audit')
      .query({ entityId: 'c-rolled-back' })
      .set(t.auth)
      .expect(200);
    expect(events.body.total).toBe(0);
  });

  it('answers 400 naming the field for bad paging or unknown filters, and 401 without the key', async () => {
    const badLimit = await request(t.url).get('/api/audit').query({ limit: 'many' }).set(t.auth).expect(400);
    expect(badLimit.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^limit /)]));
    const unknown = await request(t.url).get('/api/audit').query({ actorName: 'x' }).set(t.auth).expect(400);
    expect(unknown.body.message).toEqual(['property actorName should not exist']);
    await request(t.url).get('/api/audit').expect(401);
  });
});
