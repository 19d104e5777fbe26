import { DataSource } from 'typeorm';
import { CampaignLifecycleService } from '../lifecycle/campaign-lifecycle.service';
import {
  addOptOut,
  campaignState,
  createCampaignRow,
  createContactList,
  moveRecipients,
  recipientsOf,
  runsOf,
} from '../../../test/support/campaign.factory';
import { CampaignsTestApp, createCampaignsTestApp } from '../../../test/support/campaigns-test-app';
import { strandedRecipients } from '../../../test/support/stranded-recipients';
import { PeriodicTasks } from '../../common/scheduling/periodic-tasks';
import { CampaignScheduler } from './campaign-scheduler';
import { SERVICE_KEY_ACTOR, SYSTEM_ACTOR } from '../../common/actor';

const MINUTE = 60_000;

describe('CampaignScheduler.tick (real Postgres)', () => {
  let harness: CampaignsTestApp;
  let dataSource: DataSource;
  let scheduler: CampaignScheduler;
  let lifecycle: CampaignLifecycleService;

  beforeAll(async () => {
    harness = await createCampaignsTestApp({
      env: { WHATSAPP_NEW_CLIENT_DELAY_SECONDS: '420', DISPATCH_PREPARATION_MARGIN_SECONDS: '120' },
    });
    ({ dataSource } = harness);
    scheduler = harness.get(CampaignScheduler);
    lifecycle = harness.get(CampaignLifecycleService);
  });

  afterAll(() => harness.close());

  // invariant 11, after every scenario: the consistency check finds nothing stranded.
  afterEach(async () => expect(await strandedRecipients(dataSource)).toEqual([]));

  const at = (iso: string) => harness.clock.set(new Date(iso));

  it('prepares a WhatsApp run delay + margin ahead, with skipped reasons, then starts it on time', async () => {
    at('2026-11-25T09:00:00Z');
    const listId = await createContactList(dataSource, [
      { phone: '79160000001', name: 'Anna', attributes: { order_id: 'A-1', city: 'Moscow' } },
      { phone: '79160000002', name: null, attributes: { Order_ID: 'A-2', city: 'Moscow' } },
      {
        phone: '79160000003',
        name: 'Opted',
        attributes: { order_id: 'A-3', city: 'Moscow' },
        optedOut: true,
      },
      { phone: '79160000004', name: 'Registry', attributes: { order_id: 'A-4', city: 'Moscow' } },
      {
        phone: '74950000005',
        name: 'Office',
        attributes: { order_id: 'A-5', city: 'Moscow' },
        phoneType: 'fixed_line',
      },
      { phone: '79160000006', name: 'NoOrder', attributes: { city: 'Moscow' } },
      { phone: '79160000007', name: 'Elsewhere', attributes: { order_id: 'A-7', city: 'Kazan' } },
    ]);
    await addOptOut(dataSource, '79160000004');
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      transport: 'whatsapp',
      state: 'scheduled',
      scheduledAt: new Date('2026-11-25T09:10:00Z'),
      text: 'Hi {{name|клиент}}, order {{order_id}} is ready',
      contactFilter: { city: 'Moscow' },
    });

    await scheduler.tick();
    expect(await runsOf(dataSource, campaignId)).toHaveLength(0); // 10 min ahead > 7 min delay + 2 min margin

    at('2026-11-25T09:01:00Z');
    await scheduler.tick();
    const [run] = await runsOf(dataSource, campaignId);
    expect(run).toMatchObject({
      state: 'preparing',
      message_text: 'Hi {{name|клиент}}, order {{order_id}} is ready',
    });
    const recipients = await recipientsOf(dataSource, campaignId);
    expect(recipients.map(({ phone, state, reason, text }) => ({ phone, state, reason, text }))).toEqual([
      { phone: '74950000005', state: 'skipped', reason: 'not a mobile number', text: null },
      { phone: '79160000001', state: 'pending', reason: null, text: 'Hi Anna, order A-1 is ready' },
      { phone: '79160000002', state: 'pending', reason: null, text: 'Hi клиент, order A-2 is ready' },
      { phone: '79160000003', state: 'skipped', reason: 'opted out', text: null },
      { phone: '79160000004', state: 'skipped', reason: 'opted out', text: null },
      { phone: '79160000006', state: 'skipped', reason: 'missing variable: order_id', text: null },
    ]);
    expect((await campaignState(dataSource, campaignId)).state).toBe('scheduled');

    at('2026-11-25T09:10:00Z');
    await scheduler.tick();
    expect((await runsOf(dataSource, campaignId))[0].state).toBe('running');
    expect((await campaignState(dataSource, campaignId)).state).toBe('running');
  });

  it('creates one run when ticks race', async () => {
    at('2026-11-25T10:00:00Z');
    const listId = await createContactList(dataSource, [
      { phone: '79161111111', name: 'A' },
      { phone: '79161111112', name: 'B' },
    ]);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      state: 'scheduled',
      scheduledAt: new Date('2026-11-25T10:00:00Z'),
    });

    await Promise.all([scheduler.tick(), scheduler.tick(), scheduler.tick()]);

    expect(await runsOf(dataSource, campaignId)).toHaveLength(1);
    expect(await recipientsOf(dataSource, campaignId)).toHaveLength(2);
    expect((await campaignState(dataSource, campaignId)).state).toBe('running');
  });

  it('completes a one-off campaign when nothing is left to send', async () => {
    at('2026-11-25T11:00:00Z');
    const listId = await createContactList(dataSource, [{ phone: '79162222221' }, { phone: '79162222222' }]);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      state: 'scheduled',
      scheduledAt: new Date('2026-11-25T11:00:00Z'),
    });
    await scheduler.tick();
    await moveRecipients(dataSource, campaignId, 'pending', 'sending');
    await scheduler.tick();
    expect((await campaignState(dataSource, campaignId)).state).toBe('running'); // a `sending` row is still in flight

    await moveRecipients(dataSource, campaignId, 'sending', 'sent');
    await scheduler.tick();
    expect((await runsOf(dataSource, campaignId))[0].state).toBe('completed');
    expect(await campaignState(dataSource, campaignId)).toMatchObject({
      state: 'completed',
      state_reason: null,
    });
  });

  it('runs a recurring campaign once per cron occurrence, in its timezone', async () => {
    at('2026-11-25T12:00:00Z'); // 15:00 in Moscow
    const listId = await createContactList(dataSource, [{ phone: '79163333331' }]);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      cron: '0 10 * * *',
      timezone: 'Europe/Moscow',
    });
    await lifecycle.schedule(campaignId, {}, SYSTEM_ACTOR);
    expect((await campaignState(dataSource, campaignId)).scheduled_at).toEqual(
      new Date('2026-11-26T07:00:00Z'),
    );

    at('2026-11-26T07:00:00Z');
    await scheduler.tick();
    await moveRecipients(dataSource, campaignId, 'pending', 'sent');
    await scheduler.tick();
    expect(await campaignState(dataSource, campaignId)).toMatchObject({
      state: 'scheduled',
      scheduled_at: new Date('2026-11-27T07:00:00Z'),
    });

    at('2026-11-27T07:00:00Z');
    await scheduler.tick();
    const runs = await runsOf(dataSource, campaignId);
    expect(runs.map((run) => [run.occurrence_at.toISOString(), run.state])).toEqual([
      ['2026-11-26T07:00:00.000Z', 'completed'],
      ['2026-11-27T07:00:00.000Z', 'running'],
    ]);
    expect(await recipientsOf(dataSource, campaignId)).toHaveLength(2);
  });

  it('defers recipients outside the send window to its next opening in the campaign timezone', async () => {
    at('2026-11-25T18:00:00Z'); // 21:00 in Moscow
    const listId = await createContactList(dataSource, [{ phone: '79164444441' }]);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      state: 'scheduled',
      scheduledAt: new Date('2026-11-25T18:00:00Z'),
      timezone: 'Europe/Moscow',
      sendWindow: { start: '10:00', end: '20:00', timezone: 'campaign' },
    });
    await scheduler.tick();
    const [recipient] = await recipientsOf(dataSource, campaignId);
    expect(recipient.next_attempt_at).toEqual(new Date('2026-11-26T07:00:00Z'));
  });

  it('holds the rest of a running run when its window closes', async () => {
    at('2026-11-25T16:50:00Z'); // 19:50 in Moscow: open
    const listId = await createContactList(dataSource, [{ phone: '79164444442' }, { phone: '79164444443' }]);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      state: 'scheduled',
      scheduledAt: new Date('2026-11-25T16:50:00Z'),
      timezone: 'Europe/Moscow',
      sendWindow: { start: '10:00', end: '20:00', timezone: 'recipient' },
    });
    await scheduler.tick();
    await moveRecipients(dataSource, campaignId, 'pending', 'sent', { phones: ['79164444442'] });
    expect((await recipientsOf(dataSource, campaignId))[1].next_attempt_at).toBeNull();

    at('2026-11-25T17:05:00Z'); // 20:05: closed
    await scheduler.tick();
    expect((await recipientsOf(dataSource, campaignId)).map((row) => row.next_attempt_at)).toEqual([
      null,
      new Date('2026-11-26T07:00:00Z'),
    ]);
  });

  it("uses the recipient's timezone from the phone's country, falling back to the campaign's", async () => {
    at('2026-11-25T15:30:00Z'); // 18:30 Moscow (open), 20:30 Almaty (closed), 15:30 UTC
    const listId = await createContactList(dataSource, [
      { phone: '79165555551', country: 'RU' },
      { phone: '77015555552', country: 'KZ' },
      { phone: '99995555553', country: 'ZZ' },
    ]);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      state: 'scheduled',
      scheduledAt: new Date('2026-11-25T15:30:00Z'),
      timezone: 'Asia/Tokyo', // 00:30 in Tokyo: closed for the unknown country
      sendWindow: { start: '10:00', end: '20:00', timezone: 'recipient' },
    });
    await scheduler.tick();
    const byPhone = Object.fromEntries(
      (await recipientsOf(dataSource, campaignId)).map((row) => [row.phone, row.next_attempt_at]),
    );
    expect(byPhone).toEqual({
      '79165555551': null,
      '77015555552': new Date('2026-11-26T05:00:00Z'), // 10:00 in Almaty (UTC+5)
      '99995555553': new Date('2026-11-26T01:00:00Z'), // 10:00 in Tokyo (UTC+9)
    });
  });

  it('expires a run that could not start within expiresAfterMinutes; the campaign fails with reason expired', async () => {
    at('2026-11-25T13:00:00Z');
    const listId = await createContactList(dataSource, [{ phone: '79166666661' }]);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      state: 'scheduled',
      scheduledAt: new Date('2026-11-25T12:00:00Z'),
      expiresAfterMinutes: 30,
    });
    await scheduler.tick();
    expect((await runsOf(dataSource, campaignId))[0].state).toBe('expired');
    expect((await recipientsOf(dataSource, campaignId))[0]).toMatchObject({
      state: 'expired',
      reason: 'expired: not sent within 30 minutes of the scheduled time',
    });
    expect(await campaignState(dataSource, campaignId)).toMatchObject({
      state: 'failed',
      state_reason: 'expired',
    });
  });

  it('stops a running run at its expiry; sending rows are left to the dispatcher', async () => {
    at('2026-11-25T14:00:00Z');
    const listId = await createContactList(dataSource, [
      { phone: '79167777771' },
      { phone: '79167777772' },
      { phone: '79167777773' },
    ]);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      state: 'scheduled',
      scheduledAt: new Date('2026-11-25T14:00:00Z'),
      expiresAfterMinutes: 30,
    });
    await scheduler.tick();
    await moveRecipients(dataSource, campaignId, 'pending', 'sent', { phones: ['79167777771'] });
    await moveRecipients(dataSource, campaignId, 'pending', 'sending', { phones: ['79167777772'] });

    harness.clock.advance(31 * MINUTE);
    await scheduler.tick();
    expect((await recipientsOf(dataSource, campaignId)).map((row) => row.state)).toEqual([
      'sent',
      'sending',
      'expired',
    ]);
    expect(await campaignState(dataSource, campaignId)).toMatchObject({
      state: 'completed',
      state_reason: 'expired',
    });
  });

  it('cancel skips unsent recipients but never touches sending ones', async () => {
    at('2026-11-25T15:00:00Z');
    const listId = await createContactList(dataSource, [
      { phone: '79168888881' },
      { phone: '79168888882' },
      { phone: '79168888883' },
    ]);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      state: 'scheduled',
      scheduledAt: new Date('2026-11-25T15:00:00Z'),
    });
    await scheduler.tick();
    await moveRecipients(dataSource, campaignId, 'pending', 'sending', { phones: ['79168888881'] });
    await moveRecipients(dataSource, campaignId, 'pending', 'ready', { phones: ['79168888882'] });

    await lifecycle.cancel(campaignId, SYSTEM_ACTOR);
    const recipients = await recipientsOf(dataSource, campaignId);
    expect(recipients.map(({ state, reason }) => [state, reason])).toEqual([
      ['sending', null],
      ['skipped', 'campaign cancelled'],
      ['skipped', 'campaign cancelled'],
    ]);
    expect((await runsOf(dataSource, campaignId))[0].state).toBe('cancelled');
  });

  it('retry-failed gives failed recipients another attempt and the campaign runs again', async () => {
    at('2026-11-25T16:00:00Z');
    const listId = await createContactList(dataSource, [{ phone: '79169999991' }, { phone: '79169999992' }]);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      state: 'scheduled',
      scheduledAt: new Date('2026-11-25T16:00:00Z'),
    });
    await scheduler.tick();
    await moveRecipients(dataSource, campaignId, 'pending', 'sent', { phones: ['79169999991'] });
    await moveRecipients(dataSource, campaignId, 'pending', 'failed', {
      phones: ['79169999992'],
      reason: 'channel refused',
    });
    await scheduler.tick();
    expect((await campaignState(dataSource, campaignId)).state).toBe('completed');

    const { retried } = await lifecycle.retryFailed(campaignId, SYSTEM_ACTOR);
    expect(retried).toBe(1);
    expect((await campaignState(dataSource, campaignId)).state).toBe('running');
    expect((await runsOf(dataSource, campaignId))[0].state).toBe('running');
    expect((await recipientsOf(dataSource, campaignId))[1]).toMatchObject({
      state: 'pending',
      attempts: 0,
      reason: null,
      last_error_message: 'channel refused',
    });
  });

  it('retry-failed works for a recurring campaign between runs, then it waits for its next occurrence again', async () => {
    at('2026-11-28T07:00:00Z');
    const listId = await createContactList(dataSource, [{ phone: '79169999993' }]);
    const campaignId = await createCampaignRow(dataSource, {
      listId,
      cron: '0 10 * * *',
      timezone: 'Europe/Moscow',
      state: 'scheduled',
      scheduledAt: new Date('2026-11-28T07:00:00Z'),
    });
    await scheduler.tick();
    await moveRecipients(dataSource, campaignId, 'pending', 'failed', { reason: 'transport not supported' });
    await scheduler.tick();
    expect((await campaignState(dataSource, campaignId)).state).toBe('scheduled');

    await lifecycle.retryFailed(campaignId, SYSTEM_ACTOR);
    expect((await campaignState(dataSource, campaignId)).state).toBe('running');
    await moveRecipients(dataSource, campaignId, 'pending', 'sent');
    harness.clock.advance(MINUTE);
    await scheduler.tick();
    expect(await campaignState(dataSource, campaignId)).toMatchObject({
      state: 'scheduled',
      scheduled_at: new Date('2026-11-29T07:00:00Z'),
    });
  });

  it('pauseForQuota / resumeQuotaPaused: only campaigns paused for quota resume by themselves', async () => {
    const listId = await createContactList(dataSource, []);
    const forQuota = await createCampaignRow(dataSource, { listId, state: 'running' });
    const byUser = await createCampaignRow(dataSource, { listId, state: 'running' });
    await lifecycle.pauseForQuota(forQuota);
    await lifecycle.pause(byUser, SERVICE_KEY_ACTOR);
    expect(await campaignState(dataSource, forQuota)).toMatchObject({
      state: 'paused',
      state_reason: 'quota',
    });

    expect(await lifecycle.resumeQuotaPaused()).toEqual([forQuota]);
    expect(await campaignState(dataSource, forQuota)).toMatchObject({ state: 'running', state_reason: null });
    expect(await campaignState(dataSource, byUser)).toMatchObject({ state: 'paused', state_reason: 'user' });
  });

  it('starts no periodic task of its own when SCHEDULER_ENABLED=false (tests and the CLI tick by hand)', () => {
    const start = jest.spyOn(harness.get(PeriodicTasks), 'start');
    scheduler.onApplicationBootstrap();
    expect(start).not.toHaveBeenCalled();
    start.mockRestore();
  });

  it('failForCredentials fails a running campaign with the reason', async () => {
    const listId = await createContactList(dataSource, []);
    const campaignId = await createCampaignRow(dataSource, { listId, state: 'running' });
    await lifecycle.failForCredentials(campaignId);
    expect(await campaignState(dataSource, campaignId)).toMatchObject({
      state: 'failed',
      state_reason: 'credentials',
    });
  });
});
