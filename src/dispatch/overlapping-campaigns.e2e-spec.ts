import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, TEST_API_KEY, TestApp } from '../../test/support/test-app';
import {
  campaignState,
  exactlyOnceProblems,
  phoneRange,
  recipientCounts,
  seedCampaign,
  seedKnownClients,
} from '../../test/support/dispatch-fixtures';
import { strandedRecipients } from '../../test/support/stranded-recipients';
import { waitFor } from '../../test/support/wait-for';
import { spawnWorker, WorkerProcess } from '../../test/support/worker-spawner';
import { CampaignScheduler } from '../campaigns/scheduling/campaign-scheduler';
import { DispatchWorker } from './dispatch-worker';

const DELAY_SECONDS = 3;
const SETTINGS = {
  WHATSAPP_NEW_CLIENT_DELAY_SECONDS: String(DELAY_SECONDS),
  WHATSAPP_SAFETY_MARGIN_SECONDS: '1',
  CHAT2DESK_RATE_LIMIT_PER_SECOND: '100',
  CHAT2DESK_REQUEST_TIMEOUT_MS: '1000',
  DISPATCH_LEASE_SECONDS: '5',
  DISPATCH_POLL_INTERVAL_MS: '50',
  DISPATCH_BATCH_SIZE: '25',
  DISPATCH_RETRY_BASE_DELAY_MS: '100',
  DISPATCH_MAX_ATTEMPTS: '30',
};

/** Overlapping campaigns on several app processes (one killed, one with its clock off) on one database. */
describe('overlapping campaigns on several processes', () => {
  let testApp: TestApp;
  let workers: WorkerProcess[] = [];

  beforeEach(async () => {
    testApp = await createTestApp({
      env: SETTINGS,
      sandbox: { rateLimitPerSecond: 100, whatsappNewClientDelaySeconds: DELAY_SECONDS, seed: 12 },
    });
  });

  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    workers = [];
    await testApp?.app.get(DispatchWorker).stop();
    expect(await strandedRecipients(testApp.database.dataSource)).toEqual([]);
    await testApp?.close();
  });

  function startWorker(clockSkewMs = 0): WorkerProcess {
    const worker = spawnWorker(
      {
        ...SETTINGS,
        DATABASE_URL: testApp.database.url,
        CHAT2DESK_API_URL: testApp.sandbox.url,
        CHAT2DESK_TOKEN: testApp.sandbox.token,
        API_KEY: TEST_API_KEY,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'c2d-worker-')),
      },
      { clockSkewMs },
    );
    workers.push(worker);
    return worker;
  }

  const allSent = (campaignIds: string[], timeoutMs: number) =>
    waitFor(
      () => Promise.all(campaignIds.map((id) => recipientCounts(testApp.database.dataSource, id))),
      (counts) => counts.every((count) => Object.keys(count).join() === 'sent'),
      timeoutMs,
      200,
    );

  it('three campaigns sharing half their phones, faults on creations and sends, kill -9: each (campaign, phone) once, no early message, all complete, ≤ 1.1 requests per message or new phone (plus two per injected fault)', async () => {
    const { dataSource } = testApp.database;
    const phones = phoneRange('7981', 360);
    const lists = [phones.slice(0, 180), phones.slice(90, 270), phones.slice(180)];
    const known = phones.filter((_, index) => index % 2 === 0);
    const unknown = phones.filter((_, index) => index % 2 === 1);
    // Clients the account already has and the cache knows (a sync done earlier); the others are new.
    await seedKnownClients(dataSource, testApp.sandbox, known);
    // Scheduled a little later than the new-client delay: preparation runs ahead and creates directly.
    const occurrenceAt = new Date(Date.now() + (DELAY_SECONDS + 3) * 1000);
    const campaignIds: string[] = [];
    for (const list of lists) {
      const seeded = await seedCampaign(dataSource, { phones: list, campaignState: 'paused', occurrenceAt });
      campaignIds.push(seeded.campaignId);
    }
    // The fault mix, at rates a live account sees on a bad day (each lost answer costs a lookup).
    const faultMix = (rate: number) => ({
      error500Before: rate,
      error500After: rate,
      resetAfter: rate,
      slowAfterProbability: rate,
      slowAfterMs: 1_500,
    });
    testApp.sandbox.configure({
      faults: { 'POST /v1/clients': faultMix(0.005), 'POST /v1/messages': faultMix(0.005) },
    });
    const { requestsTotal: requestsBefore, faultsInjected: faultsBefore } = testApp.sandbox.ledger();

    const doomed = startWorker();
    await Promise.all([doomed.ready, startWorker().ready]);
    await dataSource.query(`UPDATE campaigns SET state = 'running' WHERE id = ANY($1)`, [campaignIds]);
    await waitFor(
      () => testApp.sandbox.ledger().messagesSent,
      (sent) => sent >= 150,
      30_000,
      20,
    );
    await doomed.kill();
    testApp.app.get(DispatchWorker).start();
    await allSent(campaignIds, 60_000);

    const scheduler = testApp.app.get(CampaignScheduler);
    await waitFor(
      async () => {
        await scheduler.tick();
        return Promise.all(campaignIds.map((id) => campaignState(dataSource, id)));
      },
      (states) => states.every((state) => state.state === 'completed'),
      10_000,
    );
    const ledger = testApp.sandbox.ledger();
    expect(ledger.violations).toEqual([]);
    for (const campaignId of campaignIds)
      expect(await exactlyOnceProblems(dataSource, testApp.sandbox, campaignId)).toEqual([]);
    const messages = lists.flat().length;
    expect(ledger.messagesSent).toBe(messages);
    const spent = ledger.requestsTotal - requestsBefore;
    const faults = ledger.faultsInjected - faultsBefore;
    process.stdout.write(
      `overlapping campaigns: ${spent} requests for ${messages} messages, ${unknown.length} new phones and ${faults} injected faults: ${JSON.stringify(ledger.requestsByRoute)}\n`,
    );
    // The faults are random: each may cost a retry and a lookup on top of the 10 % the kill and the
    // overlaps may use.
    expect(spent).toBeLessThanOrEqual(1.1 * (messages + unknown.length) + 2 * faults);
  }, 120_000);

  it('two processes whose clocks differ by 3 s: no WhatsApp message before the delay', async () => {
    const { dataSource } = testApp.database;
    const phones = phoneRange('7982', 60);
    // The 1 s margin is less than the skew: only the database's clock keeps the fast process in time.
    await startWorker(3_000).ready;
    const { campaignId } = await seedCampaign(dataSource, { phones });
    testApp.app.get(DispatchWorker).start();

    await allSent([campaignId], 60_000);

    expect(testApp.sandbox.ledger().violations).toEqual([]);
    expect(await exactlyOnceProblems(dataSource, testApp.sandbox, campaignId)).toEqual([]);
  }, 90_000);
});
