import { DataSource } from 'typeorm';
import { CAMPAIGN_STATES, CampaignState } from '../common/domain';
import { CAMPAIGN_TRANSITIONS, CampaignAction } from './campaign-transitions';
import { CampaignScheduler } from './scheduling/campaign-scheduler';
import { renderForContact } from './templates/template-renderer';
import {
  campaignState,
  createCampaignRow,
  createContactList,
  createGeneratedContactList,
  ContactSeed,
} from '../../test/support/campaign.factory';
import { CampaignsTestApp, createCampaignsTestApp } from '../../test/support/campaigns-test-app';

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('campaigns API (HTTP, real Postgres, sandbox)', () => {
  let harness: CampaignsTestApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    // 300 a month − 50 reserve = 250 requests for campaigns.
    harness = await createCampaignsTestApp({
      env: { CHAT2DESK_MONTHLY_QUOTA: '300', CHAT2DESK_QUOTA_RESERVE: '50' },
      // Today, as the database's clock has it: the app compares the two (readiness, the month's quota).
      now: new Date(),
    });
    dataSource = harness.dataSource;
  });

  afterAll(() => harness.close());

  async function call(method: string, path: string, body?: unknown): Promise<Reply> {
    const response = await fetch(`${harness.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async function newList(
    contacts: ContactSeed[] = [{ phone: '79160000001', name: 'Anna' }],
  ): Promise<string> {
    return createContactList(dataSource, contacts);
  }

  /** The injected clock moved by `minutes` (negative: the past), as an ISO string. */
  const fromNow = (minutes: number) => new Date(harness.clock.nowMs() + minutes * 60_000).toISOString();

  const valid = (listId: string) => ({
    name: 'Promo',
    listId,
    text: 'Hi {{name|friend}}',
    transport: 'sms',
    channelId: 1,
  });

  describe('POST /api/campaigns', () => {
    it('creates a draft', async () => {
      // A week ahead, written in Moscow time (UTC+3 all year) without an offset.
      const day = fromNow(7 * 24 * 60).slice(0, 10);
      const reply = await call('POST', '/api/campaigns', {
        ...valid(await newList()),
        timezone: 'Europe/Moscow',
        scheduledAt: `${day}T10:00`,
        sendWindow: { start: '10:00', end: '20:00', timezone: 'recipient' },
      });
      expect(reply).toMatchObject({ status: 201, body: { state: 'draft' } });
      const campaign = await call('GET', `/api/campaigns/${reply.body.id}`);
      expect(campaign.body).toMatchObject({
        name: 'Promo',
        scheduledAt: `${day}T07:00:00.000Z`,
        channelId: 1,
        counts: { total: 0, waiting: 0 },
      });
    });

    it.each([
      ['an unknown listId', { listId: '00000000-0000-4000-8000-000000000000' }, 'listId'],
      ['both text and templateId', { templateId: 1 }, 'text'],
      ['neither text nor templateId', { text: undefined }, 'text'],
      ['an unclosed variable', { text: 'Hi {{name' }, 'text'],
      ['a text of spaces and line breaks only', { text: '  \n\t \n' }, 'text'],
      ['an unknown timezone', { timezone: 'Mars/Base' }, 'timezone'],
      ['a bad cron', { cron: '99 * * * *' }, 'cron'],
      [
        'a bad send window',
        { sendWindow: { start: '25:00', end: '20:00', timezone: 'recipient' } },
        'sendWindow',
      ],
      ['an unknown transport', { transport: 'pigeon' }, 'transport'],
      // The sandbox's channel 1 offers WhatsApp and SMS; channel 2 Viber and Telegram.
      ['a transport its channel does not offer', { transport: 'viber' }, 'transport'],
      ['a channel the account does not have', { channelId: 9 }, 'channelId'],
      ['an unknown field', { colour: 'red' }, 'colour'],
      ['an unknown template', { text: undefined, templateId: 999 }, 'templateId'],
      ['a zero-width space in the name', { name: 'Promo\u200b' }, 'name'],
      ['a byte-order mark in the name', { name: '\ufeffPromo' }, 'name'],
      ['a C1 control in the name', { name: 'Pro\u0085mo' }, 'name'],
      ['a blank name', { name: ' \u3000 ' }, 'name'],
    ])('refuses %s with 400 naming the field', async (_case, patch, field) => {
      const reply = await call('POST', '/api/campaigns', { ...valid(await newList()), ...patch });
      expect(reply.status).toBe(400);
      expect(JSON.stringify(reply.body.message)).toContain(field);
    });
  });

  it('stores the name in Unicode NFC, trimmed', async () => {
    const reply = await call('POST', '/api/campaigns', { ...valid(await newList()), name: ' Cafe\u0301 ' });
    expect(reply.status).toBe(201);
    expect((await call('GET', `/api/campaigns/${reply.body.id}`)).body.name).toBe('Café');
    const renamed = await call('PATCH', `/api/campaigns/${reply.body.id}`, { name: 'Sale\u2060' });
    expect(renamed.status).toBe(400);
    expect(renamed.body.message).toMatch(/^name: .*U\+2060/);
  });

  it('GET /api/campaigns/:id shows counts by public state and problems by reason', async () => {
    const listId = await newList([
      { phone: '79176000001', name: 'Anna' },
      { phone: '79176000002', name: 'Opted', optedOut: true },
      { phone: '79176000003', name: 'Opted too', optedOut: true },
    ]);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      state: 'scheduled',
      scheduledAt: harness.clock.now(),
    });
    await harness.get(CampaignScheduler).tick();
    await dataSource.query(
      `UPDATE campaign_recipients SET state = 'ready' WHERE campaign_id = $1 AND state = 'pending'`,
      [campaignId],
    );

    const { body } = await call('GET', `/api/campaigns/${campaignId}`);
    expect(body).toMatchObject({
      state: 'running',
      counts: { total: 3, pending: 0, waiting: 1, skipped: 2 },
      problems: [{ state: 'skipped', reason: 'opted out', count: 2 }],
      latestRun: { state: 'running' },
    });
  });

  describe('lifecycle over HTTP', () => {
    const ENDPOINTS: Array<[string, CampaignAction]> = [
      ['schedule', 'schedule'],
      ['start', 'start'],
      ['pause', 'pause'],
      ['resume', 'resume'],
      ['cancel', 'cancel'],
      ['retry-failed', 'retry-failed'],
    ];
    const disallowed = ENDPOINTS.flatMap(([endpoint, action]) =>
      CAMPAIGN_STATES.filter(
        (state) => !(CAMPAIGN_TRANSITIONS[action].from as readonly string[]).includes(state),
      ).map((state) => [endpoint, state] as [string, CampaignState]),
    );

    it.each(disallowed)('POST /%s from %s is refused with 409', async (endpoint, state) => {
      const campaignId = await createCampaignRow(dataSource, {
        listId: await newList(),
        state,
        scheduledAt: new Date(fromNow(24 * 60)),
      });
      const reply = await call('POST', `/api/campaigns/${campaignId}/${endpoint}`, {});
      expect(reply.status).toBe(409);
      expect(reply.body).toMatchObject({ error: 'campaign_invalid_transition', details: { from: state } });
      expect((await campaignState(dataSource, campaignId)).state).toBe(state);
    });

    it.each(CAMPAIGN_STATES)('GET lists exactly the actions a %s campaign accepts', async (state) => {
      const campaignId = await createCampaignRow(dataSource, {
        listId: await newList(),
        state,
        scheduledAt: new Date(fromNow(24 * 60)),
      });
      // The row has no state_reason: a failed campaign then is not resumable (only a credentials failure is).
      const accepted = ENDPOINTS.filter(
        ([, action]) =>
          (CAMPAIGN_TRANSITIONS[action].from as readonly string[]).includes(state) &&
          !(state === 'failed' && action === 'resume'),
      ).map(([endpoint]) => endpoint);
      expect((await call('GET', `/api/campaigns/${campaignId}`)).body.allowedActions).toEqual(accepted);
    });

    it('walks draft → scheduled → (tick) running → paused → running → cancelled', async () => {
      const { body } = await call('POST', '/api/campaigns', {
        ...valid(await newList()),
        scheduledAt: fromNow(30),
      });
      expect((await call('POST', `/api/campaigns/${body.id}/schedule`, {})).body).toMatchObject({
        state: 'scheduled',
        forecast: { fits: true, sends: 1 },
      });
      await dataSource.query(`UPDATE campaigns SET state = 'running' WHERE id = $1`, [body.id]); // what the scheduler's tick does
      expect((await call('POST', `/api/campaigns/${body.id}/pause`)).body).toMatchObject({
        state: 'paused',
        stateReason: 'user',
      });
      expect((await call('POST', `/api/campaigns/${body.id}/resume`)).body).toMatchObject({
        state: 'running',
        stateReason: null,
      });
      expect((await call('POST', `/api/campaigns/${body.id}/cancel`)).body).toMatchObject({
        state: 'cancelled',
      });
      const audit: Array<{ action: string }> = await dataSource.query(
        `SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`,
        [body.id],
      );
      expect(audit.map((event) => event.action)).toEqual([
        'campaign.created',
        'campaign.scheduled',
        'campaign.paused',
        'campaign.resumed',
        'campaign.cancelled',
      ]);
    });

    it('refuses to schedule in the past, pointing to start', async () => {
      const { body } = await call('POST', '/api/campaigns', {
        ...valid(await newList()),
        scheduledAt: fromNow(-60),
      });
      const reply = await call('POST', `/api/campaigns/${body.id}/schedule`, {});
      expect(reply).toMatchObject({ status: 400, body: { details: { field: 'scheduledAt' } } });
      expect(reply.body.message).toContain('use start to send now');
    });

    it('start schedules the campaign for now', async () => {
      const { body } = await call('POST', '/api/campaigns', valid(await newList()));
      const reply = await call('POST', `/api/campaigns/${body.id}/start`, {});
      expect(reply.body).toMatchObject({
        state: 'scheduled',
        scheduledAt: harness.clock.now().toISOString(),
      });
    });

    it('edits and deletes drafts only', async () => {
      const listId = await newList();
      const draft = (await call('POST', '/api/campaigns', valid(listId))).body.id;
      expect((await call('PATCH', `/api/campaigns/${draft}`, { name: 'Renamed' })).body).toMatchObject({
        name: 'Renamed',
        text: 'Hi {{name|friend}}',
      });
      const running = await createCampaignRow(dataSource, { listId, state: 'running' });
      expect((await call('PATCH', `/api/campaigns/${running}`, { name: 'x' })).status).toBe(409);
      expect((await call('DELETE', `/api/campaigns/${running}`)).status).toBe(409);
      expect((await call('DELETE', `/api/campaigns/${draft}`)).status).toBe(204);
      expect((await call('GET', `/api/campaigns/${draft}`)).status).toBe(404);
    });
  });

  describe('a launch that would send nothing', () => {
    it.each([
      ['an empty list', [], 'Hi {{name|friend}}', 'campaign_audience_empty'],
      [
        'a list where everyone opted out',
        [{ phone: '79160000071', name: 'Anna', optedOut: true }],
        'Hi {{name|friend}}',
        'campaign_audience_empty',
      ],
      [
        'a text whose variable no contact has',
        [{ phone: '79160000072', name: 'Boris' }],
        'Order {{order_id}} is ready',
        'campaign_everyone_skipped',
      ],
    ])('is refused with 409 for %s, and the campaign stays a draft', async (_case, contacts, text, error) => {
      const created = await call('POST', '/api/campaigns', { ...valid(await newList(contacts)), text });
      expect(created.status).toBe(201);
      const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
      for (const [action, body] of [
        ['start', {}],
        ['schedule', { scheduledAt: inAnHour }],
      ] as const) {
        const reply = await call('POST', `/api/campaigns/${created.body.id}/${action}`, body);
        expect([action, reply.status, reply.body.error]).toEqual([action, 409, error]);
        expect(reply.body.message).toMatch(/would send nothing/);
      }
      expect((await call('GET', `/api/campaigns/${created.body.id}`)).body.state).toBe('draft');
    });
  });

  describe('forecast and quota', () => {
    it('refuses to schedule beyond the remaining quota unless allowPartial, and stores the forecast', async () => {
      const listId = await createGeneratedContactList(dataSource, 200);
      const { body } = await call('POST', '/api/campaigns', {
        ...valid(listId),
        scheduledAt: fromNow(6 * 24 * 60),
      });

      const forecast = await call('GET', `/api/campaigns/${body.id}/forecast`);
      expect(forecast.body).toMatchObject({
        recipients: 200,
        knownClients: 0,
        // Preparation ahead of the delay creates directly; the preparer asks the account's size first.
        lookups: 1,
        creations: 200,
        sends: 200,
        statusPolls: 4,
        total: 405,
        fits: false,
      });

      const refused = await call('POST', `/api/campaigns/${body.id}/schedule`, {});
      expect(refused.status).toBe(409);
      // 250 for campaigns, less what earlier tests spent (template syncs, test sends)
      expect(refused.body.message).toMatch(
        /needs ~405 requests, 2\d\d left this month; reduce the list, raise CHAT2DESK_MONTHLY_QUOTA, or pass allowPartial$/,
      );
      expect((await campaignState(dataSource, body.id)).state).toBe('draft');

      const accepted = await call('POST', `/api/campaigns/${body.id}/schedule`, { allowPartial: true });
      expect(accepted.body).toMatchObject({
        state: 'scheduled',
        allowPartial: true,
        forecast: { total: 405, fits: false },
      });
    });

    it('counts phones already in the client cache as known', async () => {
      const listId = await newList([{ phone: '79171000001' }, { phone: '79171000002' }]);
      await dataSource.query(
        `INSERT INTO chat2desk_clients (phone, transport, channel_id, client_id, ready_at) VALUES ('79171000001', 'sms', 1, 5, now())`,
      );
      const { body } = await call('POST', '/api/campaigns', valid(listId));
      expect((await call('GET', `/api/campaigns/${body.id}/forecast`)).body).toMatchObject({
        recipients: 2,
        knownClients: 1,
        creations: 1,
      });
    });
  });

  describe('templates, preview and test send', () => {
    it('syncs Chat2Desk templates and renders a template campaign', async () => {
      const templates = await call('GET', '/api/templates?refresh=true');
      expect(templates.body.map((template: { name: string }) => template.name)).toEqual([
        'Order ready',
        'Promo',
        'Thanks',
      ]);
      const listId = await newList([{ phone: '79172000001', name: 'Oleg', attributes: { code: 'SALE' } }]);
      const { body } = await call('POST', '/api/campaigns', {
        ...valid(listId),
        text: undefined,
        templateId: 2,
      });
      const preview = await call('GET', `/api/campaigns/${body.id}/preview?limit=5`);
      expect(preview.body.items).toEqual([
        {
          phone: '79172000001',
          name: 'Oleg',
          text: 'Hi Oleg, -20% this weekend with code SALE.',
          skipReason: null,
        },
      ]);
    });

    it('previews what the recipients would get, the same as the renderer, with the missing-variables check', async () => {
      const contacts: ContactSeed[] = [
        { phone: '79173000001', name: 'Anna', attributes: { order_id: '1' } },
        { phone: '79173000002', name: null, attributes: { ORDER_ID: '2' } },
        { phone: '79173000003', name: 'Ivan', attributes: {} },
        { phone: '79173000004', name: 'Petr', attributes: { order_id: '   ' } },
      ];
      const text = 'Dear {{name|customer}}, order {{Order_Id}}';
      const { body } = await call('POST', '/api/campaigns', { ...valid(await newList(contacts)), text });
      const preview = await call('GET', `/api/campaigns/${body.id}/preview?limit=10`);

      expect(preview.body.items.map((item: { text: string | null }) => item.text)).toEqual(
        contacts.map((contact) => {
          const rendered = renderForContact(text, {
            phone: contact.phone,
            name: contact.name ?? null,
            attributes: contact.attributes ?? {},
          });
          return rendered.ok ? rendered.text : null;
        }),
      );
      expect((await call('GET', `/api/campaigns/${body.id}/forecast`)).body).toMatchObject({
        recipients: 2,
        missingVariables: 2,
      });
      expect(preview.body.missingVariables).toEqual({
        count: 2,
        examples: [
          { phone: '79173000003', name: 'Ivan', text: null, skipReason: 'missing variable: Order_Id' },
          { phone: '79173000004', name: 'Petr', text: null, skipReason: 'missing variable: Order_Id' },
        ],
      });
    });

    it('sends a test message to one phone through Chat2Desk, refusing one the message cannot be rendered for', async () => {
      const listId = await newList([{ phone: '79174000001', name: 'Anna' }]);
      const { body } = await call('POST', '/api/campaigns', valid(listId));
      const reply = await call('POST', `/api/campaigns/${body.id}/test-send`, { phone: '+79174000001' });
      expect(reply).toMatchObject({ status: 200, body: { phone: '79174000001', text: 'Hi Anna' } });
      const strict = await call('POST', '/api/campaigns', { ...valid(listId), text: 'Order {{order_id}}' });
      expect(
        (await call('POST', `/api/campaigns/${strict.body.id}/test-send`, { phone: '79174000001' })).body,
      ).toMatchObject({ error: 'invalid_input', details: { field: 'phone' } });
      expect(harness.sandbox.state.messages.filter((message) => message.text === 'Hi Anna')).toHaveLength(1);
    });

    it('reads the test phone as imports do: the trunk prefix 8, spaces and brackets; a wrong one names the field', async () => {
      const listId = await newList([{ phone: '79174000002', name: 'Vera' }]);
      const { body } = await call('POST', '/api/campaigns', valid(listId));
      const reply = await call('POST', `/api/campaigns/${body.id}/test-send`, { phone: '8 (917) 400-00-02' });
      expect(reply).toMatchObject({ status: 200, body: { phone: '79174000002', text: 'Hi Vera' } });
      const wrong = await call('POST', `/api/campaigns/${body.id}/test-send`, { phone: '12345' });
      expect(wrong).toMatchObject({
        status: 400,
        body: { error: 'invalid_input', details: { field: 'phone' } },
      });
      expect(wrong.body.message).toMatch(/^phone: .*write it as \+7 916 123-45-67/);
    });

    it('refuses a WhatsApp test send until the new client is ready', async () => {
      const { body } = await call('POST', '/api/campaigns', {
        ...valid(await newList()),
        transport: 'whatsapp',
      });
      const reply = await call('POST', `/api/campaigns/${body.id}/test-send`, { phone: '79175000001' });
      expect(reply).toMatchObject({ status: 409, body: { error: 'chat2desk_client_not_ready' } });
    });
  });
});
