import { CampaignScheduler } from '../scheduling/campaign-scheduler';
import { CANCELLED_REASON } from '../../common/domain';
import { DispatchWorker } from '../../dispatch/dispatch-worker';
import { ExitCode } from '../../cli/exit-codes';
import { DoctorCommand } from '../../cli/commands/campaigns';
import { ConsistencyCheckJob } from './consistency-check.job';
import { createCampaignRow, createContactList, recipientsOf } from '../../../test/support/campaign.factory';
import {
  campaignState,
  exactlyOnceProblems,
  phoneRange,
  recipientCounts,
  seedCampaign,
  seedKnownClients,
} from '../../../test/support/dispatch-fixtures';
import { strandedRecipients } from '../../../test/support/stranded-recipients';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { waitFor } from '../../../test/support/wait-for';

/** invariant 11: every recipient waiting to be sent belongs to a run something will move. */
describe('no recipient is stranded', () => {
  let testApp: TestApp;
  let scheduler: CampaignScheduler;
  let worker: DispatchWorker;

  beforeAll(async () => {
    testApp = await createTestApp({
      env: { CHAT2DESK_RATE_LIMIT_PER_SECOND: '200', DISPATCH_POLL_INTERVAL_MS: '50' },
      sandbox: { rateLimitPerSecond: 200 },
    });
    scheduler = testApp.app.get(CampaignScheduler);
    worker = testApp.app.get(DispatchWorker);
  });

  afterAll(() => testApp?.close());

  beforeEach(() => testApp.sandbox.configure({ mode: 'normal' }));

  afterEach(async () => {
    expect(await strandedRecipients(testApp.database.dataSource)).toEqual([]);
  });

  const dataSource = () => testApp.database.dataSource;

  const api = (method: string, path: string) => testApp.call<Record<string, unknown>>(method, path);

  /** An SMS campaign on known phones, started by one scheduler tick. */
  async function runningCampaign(
    phones: string[],
    extra: { cron?: string; expiresAfterMinutes?: number } = {},
  ): Promise<string> {
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
      text: 'News for {{phone}}',
      ...extra,
    });
    await scheduler.tick();
    expect(await campaignState(dataSource(), campaignId)).toMatchObject({ state: 'running' });
    return campaignId;
  }

  /** Chat2Desk rejects the credentials (API disabled) during the first batch: the campaign fails, its recipients are released. */
  async function failedForCredentials(phones: string[]): Promise<string> {
    const campaignId = await runningCampaign(phones);
    testApp.sandbox.configure({ mode: 'disabled' });
    await worker.tick();
    expect(await campaignState(dataSource(), campaignId)).toEqual({
      state: 'failed',
      stateReason: 'credentials',
    });
    expect(await recipientCounts(dataSource(), campaignId)).toEqual({ ready: phones.length });
    return campaignId;
  }

  it('a campaign failed for credentials offers resume and cancel; after the token is fixed, resume completes it exactly once', async () => {
    const phones = phoneRange('7941', 6);
    const campaignId = await failedForCredentials(phones);
    // Resumable: not stranded while it waits for a person.
    expect(await strandedRecipients(dataSource())).toEqual([]);
    const shown = await api('GET', `/api/campaigns/${campaignId}`);
    expect(shown.body.allowedActions).toEqual(expect.arrayContaining(['resume', 'cancel']));

    testApp.sandbox.configure({ mode: 'normal' });
    const resumed = await api('POST', `/api/campaigns/${campaignId}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ state: 'running', stateReason: null });
    await waitFor(
      async () => {
        await worker.tick();
        await scheduler.tick();
        return campaignState(dataSource(), campaignId);
      },
      (campaign) => campaign.state === 'completed',
      20_000,
    );
    expect(await exactlyOnceProblems(dataSource(), testApp.sandbox, campaignId)).toEqual([]);
  });

  it('a campaign failed for credentials can be cancelled: every unsent recipient is skipped', async () => {
    const phones = phoneRange('7942', 4);
    const campaignId = await failedForCredentials(phones);
    const cancelled = await api('POST', `/api/campaigns/${campaignId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'cancelled' });
    const recipients = await recipientsOf(dataSource(), campaignId);
    expect(recipients.map((recipient) => [recipient.state, recipient.reason])).toEqual(
      phones.map(() => ['skipped', CANCELLED_REASON]),
    );
  });

  it('a campaign failed for another reason (expired) cannot be resumed and does not offer it', async () => {
    const listId = await createContactList(dataSource(), []);
    const campaignId = await createCampaignRow(dataSource(), {
      listId,
      state: 'failed',
      stateReason: 'expired',
    });
    const shown = await api('GET', `/api/campaigns/${campaignId}`);
    expect(shown.body.allowedActions).not.toContain('resume');
    const refused = await api('POST', `/api/campaigns/${campaignId}/resume`);
    expect(refused.status).toBe(409);
  });

  it('a paused recurring campaign stays paused when its occurrence ends, and resume waits for the next one', async () => {
    const phones = phoneRange('7943', 2);
    const campaignId = await runningCampaign(phones, { cron: '0 9 * * *' });
    expect((await api('POST', `/api/campaigns/${campaignId}/pause`)).status).toBe(200);
    await dataSource().query(
      `UPDATE campaign_recipients SET state = 'sent', sent_at = now() WHERE campaign_id = $1`,
      [campaignId],
    );
    await scheduler.tick();
    const paused = await campaignState(dataSource(), campaignId);
    expect(paused).toMatchObject({ state: 'paused', stateReason: 'user' });
    const [{ scheduled_at: next }] = await dataSource().query(
      `SELECT scheduled_at FROM campaigns WHERE id = $1`,
      [campaignId],
    );
    expect(new Date(next).getTime()).toBeGreaterThan(Date.now());

    const resumed = await api('POST', `/api/campaigns/${campaignId}/resume`);
    expect(resumed.body).toMatchObject({ state: 'scheduled', stateReason: null });
  });

  it('a row that comes back unsent after its run expired is expired too (and the check finds it until then)', async () => {
    const phones = phoneRange('7944', 3);
    const campaignId = await runningCampaign(phones, { expiresAfterMinutes: 1 });
    await worker.housekeeping(); // pending → ready from the client cache
    // phones[0] is in flight on a process that died: `sending` with a lapsed lease, nothing in Chat2Desk.
    await dataSource().query(
      `UPDATE campaign_recipients SET state = 'sending', attempt_id = gen_random_uuid(), attempts = 1,
         attempt_started_at = now() - interval '1 minute', lease_owner = 'dead-process', lease_expires_at = now() - interval '1 second'
       WHERE campaign_id = $1 AND phone = $2`,
      [campaignId, phones[0]],
    );
    await dataSource().query(
      `UPDATE campaign_runs SET occurrence_at = occurrence_at - interval '5 minutes' WHERE campaign_id = $1`,
      [campaignId],
    );
    await scheduler.tick();
    expect(await recipientCounts(dataSource(), campaignId)).toEqual({ sending: 1, expired: 2 });

    await worker.housekeeping(); // the sweeper reconciles it: not in Chat2Desk → due again
    expect((await recipientsOf(dataSource(), campaignId))[0].state).toBe('ready');
    expect(await strandedRecipients(dataSource())).toEqual([
      expect.objectContaining({ campaignId, runState: 'expired', recipientState: 'ready', count: 1 }),
    ]);

    expect((await scheduler.tick()).settled).toBe(1);
    expect(await recipientCounts(dataSource(), campaignId)).toEqual({ expired: 3 });
    const { clientsByPhone, messagesByClient } = testApp.sandbox.state;
    expect(phones.map((phone) => messagesByClient.get(clientsByPhone.get(phone)!.id)?.length ?? 0)).toEqual([
      0, 0, 0,
    ]);
  });

  it('doctor lists stranded recipients with exit code 1 (JSON), the job exports the gauge; 0 once settled', async () => {
    const stranded = await seedCampaign(dataSource(), {
      phones: phoneRange('7945', 3),
      campaignState: 'completed',
      runState: 'completed',
    });
    const doctor = new DoctorCommand(testApp.app.get(ConsistencyCheckJob));
    const first = await runCommand(() => doctor.run([], { json: true }));
    expect(first.exitCode).toBe(ExitCode.Failure);
    expect(JSON.parse(first.out)).toMatchObject({
      total: 3,
      groups: [
        expect.objectContaining({
          campaignId: stranded.campaignId,
          runId: stranded.runId,
          recipientState: 'pending',
          count: 3,
        }),
      ],
    });

    await testApp.app.get(ConsistencyCheckJob).run();
    const scrape = await fetch(`${testApp.url}/metrics`, { headers: testApp.auth });
    expect(await scrape.text()).toMatch(/^recipients_stranded 3$/m);

    await dataSource().query(`DELETE FROM campaigns WHERE id = $1`, [stranded.campaignId]);
    const second = await runCommand(() => doctor.run([], {}));
    expect(second.exitCode).toBe(ExitCode.Ok);
    expect(second.out).toMatch(/^OK/);
  });
});

async function runCommand(run: () => Promise<void>): Promise<{ out: string; exitCode: number | undefined }> {
  let out = '';
  const write = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await run();
    return { out, exitCode: process.exitCode === undefined ? undefined : Number(process.exitCode) };
  } finally {
    write.mockRestore();
    process.exitCode = undefined;
  }
}
