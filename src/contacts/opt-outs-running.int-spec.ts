import { AuditService } from '../audit/audit.service';
import { CampaignScheduler } from '../campaigns/scheduling/campaign-scheduler';
import { OPTED_OUT_REASON } from '../common/domain';
import { DispatchWorker } from '../dispatch/dispatch-worker';
import {
  createCampaignRow,
  createContactList,
  moveRecipients,
  recipientsOf,
} from '../../test/support/campaign.factory';
import { campaignState, phoneRange, seedKnownClients } from '../../test/support/dispatch-fixtures';
import { strandedRecipients } from '../../test/support/stranded-recipients';
import { createTestApp, TestApp } from '../../test/support/test-app';
import { waitFor } from '../../test/support/wait-for';
import { postWebhook, WEBHOOK_ENV } from '../../test/support/webhook';
import { OptOutCommand } from '../cli/commands/opt-outs';
import { OptOutService } from './opt-out.service';

/** Opt-outs recorded while campaigns run reach their recipients not yet sent, whatever path records them. */
describe('opt-outs reach running campaigns', () => {
  let testApp: TestApp;
  let scheduler: CampaignScheduler;
  let worker: DispatchWorker;

  beforeAll(async () => {
    testApp = await createTestApp({
      env: { CHAT2DESK_RATE_LIMIT_PER_SECOND: '200', DISPATCH_POLL_INTERVAL_MS: '50', ...WEBHOOK_ENV },
      sandbox: { rateLimitPerSecond: 200 },
    });
    scheduler = testApp.app.get(CampaignScheduler);
    worker = testApp.app.get(DispatchWorker);
  });

  afterAll(() => testApp?.close());

  afterEach(async () => {
    expect(await strandedRecipients(testApp.database.dataSource)).toEqual([]);
  });

  const dataSource = () => testApp.database.dataSource;

  /** to_client messages the sandbox holds for the phone. */
  function messagesTo(phone: string): number {
    const client = testApp.sandbox.state.clientsByPhone.get(phone);
    if (!client) return 0;
    return (testApp.sandbox.state.messagesByClient.get(client.id) ?? []).filter(
      (message) => message.type === 'to_client',
    ).length;
  }

  /** An SMS campaign on these (known) phones, scheduled now and started by one scheduler tick. */
  async function runningCampaign(phones: string[]): Promise<string> {
    await seedKnownClients(dataSource(), testApp.sandbox, phones, 'sms', 1);
    const listId = await createContactList(
      dataSource(),
      phones.map((phone) => ({ phone })),
    );
    const campaignId = await createCampaignRow(dataSource(), {
      listId,
      state: 'scheduled',
      scheduledAt: new Date(Date.now() - 1_000),
      transport: 'sms',
      text: 'Sale for {{phone}}',
    });
    await scheduler.tick();
    expect(await campaignState(dataSource(), campaignId)).toMatchObject({ state: 'running' });
    return campaignId;
  }

  async function completeAll(campaignIds: string[]): Promise<void> {
    await waitFor(
      async () => {
        await worker.tick();
        await scheduler.tick();
        return Promise.all(campaignIds.map(async (id) => (await campaignState(dataSource(), id)).state));
      },
      (states) => states.every((state) => state === 'completed'),
      20_000,
    );
  }

  const stateOf = async (campaignId: string, phone: string) =>
    (await recipientsOf(dataSource(), campaignId)).find((recipient) => recipient.phone === phone);

  it('POST /api/opt-outs skips the phone in every run (ready in one, pending in another), sent rows stay sent, and nothing goes to it', async () => {
    const phones = phoneRange('7931', 5);
    const [target, alreadySent] = phones;
    const first = await runningCampaign(phones);
    await worker.housekeeping(); // first campaign: pending → ready from the client cache
    const second = await runningCampaign(phones.slice(0, 3)); // still pending
    expect((await stateOf(first, target))?.state).toBe('ready');
    expect((await stateOf(second, target))?.state).toBe('pending');
    await dataSource().query(
      `UPDATE campaign_recipients SET state = 'sent', sent_at = now() WHERE campaign_id = $1 AND phone = $2`,
      [first, alreadySent],
    );

    const response = await fetch(`${testApp.url}/api/opt-outs`, {
      method: 'POST',
      headers: { ...testApp.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ phone: `+${target}`, reason: 'asked by phone' }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ phone: target, created: true, recipientsSkipped: 2 });
    for (const campaignId of [first, second])
      expect(await stateOf(campaignId, target)).toMatchObject({ state: 'skipped', reason: OPTED_OUT_REASON });

    const sentOptOut = await fetch(`${testApp.url}/api/opt-outs`, {
      method: 'POST',
      headers: { ...testApp.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ phone: alreadySent }),
    });
    // Sent in the first campaign (history, untouched); still waiting in the second (skipped).
    expect(await sentOptOut.json()).toMatchObject({ recipientsSkipped: 1 });
    expect((await stateOf(first, alreadySent))?.state).toBe('sent');

    await completeAll([first, second]);
    expect(messagesTo(target)).toBe(0);
    expect(messagesTo(alreadySent)).toBe(0); // the sandbox never saw it: marked sent by SQL above
    for (const phone of phones.slice(2)) expect(messagesTo(phone)).toBe(phone <= phones[2] ? 2 : 1);
  });

  it('a STOP word through the webhook skips the phone in a running campaign', async () => {
    const phones = phoneRange('7932', 3);
    const campaignId = await runningCampaign(phones);
    await worker.housekeeping();

    const response = await postWebhook(testApp.url, {
      event: 'inbox',
      text: 'СТОП',
      client: { phone: phones[1] },
    });
    expect(response.status).toBe(200);
    expect(await stateOf(campaignId, phones[1])).toMatchObject({
      state: 'skipped',
      reason: OPTED_OUT_REASON,
    });

    await completeAll([campaignId]);
    expect([messagesTo(phones[0]), messagesTo(phones[1]), messagesTo(phones[2])]).toEqual([1, 0, 1]);
  });

  it('the opt-out CLI command skips the phone in a running campaign', async () => {
    const phones = phoneRange('7933', 2);
    const campaignId = await runningCampaign(phones);
    let out = '';
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    try {
      await new OptOutCommand(testApp.app.get(OptOutService), testApp.app.get(AuditService)).run(
        [phones[0]],
        { json: true },
      );
    } finally {
      write.mockRestore();
      process.exitCode = undefined;
    }
    expect(JSON.parse(out)).toMatchObject({ phone: phones[0], recipientsSkipped: 1 });
    expect(await stateOf(campaignId, phones[0])).toMatchObject({
      state: 'skipped',
      reason: OPTED_OUT_REASON,
    });

    await completeAll([campaignId]);
    expect([messagesTo(phones[0]), messagesTo(phones[1])]).toEqual([0, 1]);
  });

  it('retry-failed does not put back a failed recipient whose phone was opted out since', async () => {
    const phones = phoneRange('7934', 3);
    const campaignId = await runningCampaign(phones);
    await moveRecipients(dataSource(), campaignId, 'pending', 'failed', {
      reason: 'Chat2Desk: not delivered',
      phones: phones.slice(0, 2),
    });
    await completeAll([campaignId]);
    await testApp.app.get(OptOutService).optOut(phones[0], 'manual');
    expect((await stateOf(campaignId, phones[0]))?.state).toBe('failed'); // history is not rewritten by the opt-out

    const retry = await fetch(`${testApp.url}/api/campaigns/${campaignId}/retry-failed`, {
      method: 'POST',
      headers: testApp.auth,
    });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ retried: 1, skippedOptedOut: 1 });
    expect(await stateOf(campaignId, phones[0])).toMatchObject({
      state: 'skipped',
      reason: OPTED_OUT_REASON,
    });

    await completeAll([campaignId]);
    expect([messagesTo(phones[0]), messagesTo(phones[1]), messagesTo(phones[2])]).toEqual([0, 1, 1]);
  });
});
