import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, TEST_API_KEY, TestApp } from '../../test/support/test-app';
import { DispatchWorker } from './dispatch-worker';
import {
  exactlyOnceProblems,
  phoneRange,
  recipientCounts,
  seedCampaign,
  seedKnownClients,
} from '../../test/support/dispatch-fixtures';
import { waitFor } from '../../test/support/wait-for';
import { spawnWorker, WorkerProcess } from '../../test/support/worker-spawner';

const RATE_LIMIT = 40;
const LEASE_SECONDS = 5;

describe('several app processes on one database', () => {
  let testApp: TestApp;
  let workers: WorkerProcess[] = [];

  beforeAll(async () => {
    testApp = await createTestApp({
      env: {
        CHAT2DESK_RATE_LIMIT_PER_SECOND: String(RATE_LIMIT),
        DISPATCH_POLL_INTERVAL_MS: '50',
        DISPATCH_LEASE_SECONDS: String(LEASE_SECONDS),
        DISPATCH_BATCH_SIZE: '20',
        CHAT2DESK_REQUEST_TIMEOUT_MS: '2000',
      },
      sandbox: { rateLimitPerSecond: RATE_LIMIT },
    });
  });

  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    workers = [];
  });

  afterAll(async () => {
    await testApp?.close();
  });

  function startWorker(): WorkerProcess {
    const worker = spawnWorker({
      DATABASE_URL: testApp.database.url,
      CHAT2DESK_API_URL: testApp.sandbox.url,
      CHAT2DESK_TOKEN: testApp.sandbox.token,
      API_KEY: TEST_API_KEY,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'c2d-worker-')),
      CHAT2DESK_RATE_LIMIT_PER_SECOND: String(RATE_LIMIT),
      DISPATCH_POLL_INTERVAL_MS: '50',
      DISPATCH_LEASE_SECONDS: String(LEASE_SECONDS),
      DISPATCH_BATCH_SIZE: '20',
      CHAT2DESK_REQUEST_TIMEOUT_MS: '2000',
    });
    workers.push(worker);
    return worker;
  }

  it('two processes together stay under the shared rate limit and never send twice', async () => {
    const { dataSource } = testApp.database;
    const phones = phoneRange('7931', 200);
    await seedKnownClients(dataSource, testApp.sandbox, phones);
    // Paused until both processes run, so both take part from the first batch.
    const { campaignId } = await seedCampaign(dataSource, { phones, campaignState: 'paused' });
    await startWorker().ready;
    testApp.app.get(DispatchWorker).start();
    await dataSource.query(`UPDATE campaigns SET state = 'running' WHERE id = $1`, [campaignId]);

    await waitFor(
      () => recipientCounts(dataSource, campaignId),
      (counts) => counts.sent === phones.length,
      40_000,
      200,
    );
    await testApp.app.get(DispatchWorker).stop();

    const ledger = testApp.sandbox.ledger();
    expect(ledger.busiestSecond).toBeLessThanOrEqual(RATE_LIMIT);
    expect(ledger.rateLimited).toBe(0);
    expect(await exactlyOnceProblems(dataSource, testApp.sandbox, campaignId)).toEqual([]);
  }, 60_000);

  it('kill -9 of a worker mid-campaign, then a restart: every recipient gets exactly one message', async () => {
    const { dataSource } = testApp.database;
    // Slow answers: the killed worker has requests in flight that Chat2Desk still processes.
    testApp.sandbox.configure({ latencyMs: 300 });
    const messagesBefore = testApp.sandbox.ledger().messagesSent;
    const phones = phoneRange('7932', 120);
    await seedKnownClients(dataSource, testApp.sandbox, phones);
    const { campaignId } = await seedCampaign(dataSource, { phones });
    const doomed = startWorker();
    await doomed.ready;
    await waitFor(
      () => recipientCounts(dataSource, campaignId),
      (counts) => (counts.sent ?? 0) >= 20 && (counts.sending ?? 0) > 0,
      30_000,
      20,
    );

    await doomed.kill();
    const atKill = await recipientCounts(dataSource, campaignId);
    expect(atKill.sending ?? 0).toBeGreaterThan(0);
    // Requests of the dead worker land after all: resending its `sending` rows blind would duplicate them.
    await waitFor(
      () => testApp.sandbox.ledger().messagesSent - messagesBefore,
      (landed) => landed > (atKill.sent ?? 0),
      10_000,
      20,
    );
    testApp.sandbox.configure({ latencyMs: 0 });

    const restarted = startWorker();
    await restarted.ready;
    await waitFor(
      () => recipientCounts(dataSource, campaignId),
      (counts) => counts.sent === phones.length,
      40_000,
      200,
    );
    await restarted.stop();

    expect(await exactlyOnceProblems(dataSource, testApp.sandbox, campaignId)).toEqual([]);
  }, 60_000);

  it('three instances, one killed with -9 mid-run and not restarted: the other two finish, each recipient once, under the limit', async () => {
    const { dataSource } = testApp.database;
    testApp.sandbox.configure({ latencyMs: 200 });
    const phones = phoneRange('7933', 240);
    await seedKnownClients(dataSource, testApp.sandbox, phones);
    const { campaignId } = await seedCampaign(dataSource, { phones, campaignState: 'paused' });
    const [doomed, survivor] = [startWorker(), startWorker()];
    await Promise.all([doomed.ready, survivor.ready]);
    testApp.app.get(DispatchWorker).start();
    await dataSource.query(`UPDATE campaigns SET state = 'running' WHERE id = $1`, [campaignId]);
    await waitFor(
      () => recipientCounts(dataSource, campaignId),
      (counts) => (counts.sent ?? 0) >= 40 && (counts.sending ?? 0) > 0,
      30_000,
      20,
    );

    await doomed.kill();
    testApp.sandbox.configure({ latencyMs: 0 });
    await waitFor(
      () => recipientCounts(dataSource, campaignId),
      (counts) => counts.sent === phones.length,
      60_000,
      200,
    );
    await testApp.app.get(DispatchWorker).stop();

    const ledger = testApp.sandbox.ledger();
    expect(ledger.busiestSecond).toBeLessThanOrEqual(RATE_LIMIT);
    expect(ledger.rateLimited).toBe(0);
    expect(await exactlyOnceProblems(dataSource, testApp.sandbox, campaignId)).toEqual([]);
  }, 90_000);
});
