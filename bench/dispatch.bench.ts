/**
 * `npm run bench:dispatch`: the dispatcher against the Chat2Desk sandbox running in its own process on
 * this machine, on embedded PostgreSQL (or DATABASE_URL).
 * (a) 100k recipients to known clients, sandbox at zero latency, no rate limit → sends/s;
 * (b) two app processes sharing a 50/s limit for ~40 s → achieved rate ÷ limit and 429s;
 * (c) API requests per sent message from the sandbox ledger;
 * (d) claim latency (batches of 100) with 1M `ready` rows of a paused campaign in the table.
 * Results go to bench/RESULTS.md. Options: --recipients N, --limited-seconds S, --paused-rows N.
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { loadAppConfig } from '../src/config/app-config';
import { runMigrations } from '../src/database/migrations';
import { StatusTracker } from '../src/delivery/status-tracker';
import { LIST_MESSAGES_ROUTE, measureTrackingCost } from '../src/delivery/tracking-cost';
import { DispatchWorker } from '../src/dispatch/dispatch-worker';
import { Preparer } from '../src/dispatch/preparer';
import { RecipientQueue } from '../src/recipients/recipient-queue';
import { sqlFrom } from '../src/database/sql';
import { cacheClients, recipientCounts, seedCampaign } from '../test/support/dispatch-fixtures';
import { spawnWorker } from '../test/support/worker-spawner';
import { argument, loadAverage, machineDescription, recordSection, round } from './bench-report';
import { provisionBenchDatabase } from './bench-database';
import { SandboxProcess } from './dispatch/sandbox-process';
import { RecipientStatusStore } from '../src/recipients/recipient-status.store';

const TMP = join(__dirname, 'tmp');
const API_KEY = 'bench-api-key-0123456789';
const LIMITED_RATE = 50;
const TARGET = { sendsPerSecond: 1_000, rateRatio: 0.95, requestsPerMessage: 1.02, claimMs: 5 };
const CLAIM_BATCH = 100;
const CLAIM_SAMPLES = 200;

interface ClaimResult {
  pausedRows: number;
  medianMs: number;
  p95Ms: number;
  /** Buffers the claim's plan touched (EXPLAIN ANALYZE BUFFERS), and the index it read recipients with. */
  planBuffers: number;
  planIndex: string;
}

interface ThroughputResult {
  recipients: number;
  preparationSeconds: number;
  dispatchSeconds: number;
  sendsPerSecond: number;
  /** CPU time of the dispatching process ÷ wall time (1 = one core busy all along). */
  appCpuShare: number;
  requests: number;
  messages: number;
  requestsPerMessage: number;
  /** Status tracking (StatusTracker) until every message has a final status. */
  trackingRequests: number;
  trackingRounds: number;
  requestsPerMessageWithTracking: number;
  duplicateSends: number;
}

interface LimitedResult {
  recipients: number;
  seconds: number;
  achievedPerSecond: number;
  ratio: number;
  busiestSecond: number;
  rateLimited: number;
  duplicateSends: number;
}

async function main(): Promise<void> {
  const recipients = Number(argument('--recipients') ?? 100_000);
  const limitedSeconds = Number(argument('--limited-seconds') ?? 40);
  const pausedRows = Number(argument('--paused-rows') ?? 1_000_000);
  mkdirSync(TMP, { recursive: true });
  const loadAtStart = loadAverage();
  const sandbox = await SandboxProcess.start({
    SANDBOX_MODE: 'unlimited',
    SANDBOX_RATE_LIMIT_PER_SECOND: '0',
  });
  const database = await provisionBenchDatabase(TMP, 'dispatch');
  try {
    await runMigrations(database.url);
    const throughput = await measureThroughput(database.url, sandbox, recipients);
    console.log(JSON.stringify({ throughput }, null, 2));
    const limited = await measureSharedLimit(database.url, sandbox, limitedSeconds);
    console.log(JSON.stringify({ limited }, null, 2));
    const claims = await measureClaimLatency(database.url, pausedRows);
    console.log(JSON.stringify({ claims }, null, 2));
    recordResults(throughput, limited, claims, database.kind, loadAtStart);
  } finally {
    await sandbox.stop();
    await database.stop();
  }
}

function appEnv(
  databaseUrl: string,
  sandbox: SandboxProcess,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    CHAT2DESK_API_URL: sandbox.url,
    CHAT2DESK_TOKEN: sandbox.token,
    API_KEY,
    DATA_DIR: mkdtempSync(join(TMP, 'dispatch-data-')),
    LOG_LEVEL: 'silent',
    SCHEDULER_ENABLED: 'false',
    DISPATCH_POLL_INTERVAL_MS: '50',
    ...extra,
  };
}

/** (a) + (c): one app process, known clients, no rate limit in the sandbox. */
async function measureThroughput(
  databaseUrl: string,
  sandbox: SandboxProcess,
  recipients: number,
): Promise<ThroughputResult> {
  const env = appEnv(databaseUrl, sandbox, {
    CHAT2DESK_RATE_LIMIT_PER_SECOND: '10000',
    DISPATCH_BATCH_SIZE: '500',
    DISPATCH_CONCURRENCY: '64',
    TRACKING_POLL_INTERVAL_MS: '500',
  });
  const app = await createApp(loadAppConfig(env));
  await app.init();
  try {
    const dataSource = app.get(DataSource);
    const clients = await sandbox.seedClients({
      count: recipients,
      phonePrefix: '7950',
      transport: 'whatsapp',
      channelId: 1,
    });
    await cacheClients(dataSource, clients);
    const { campaignId } = await seedCampaign(dataSource, { phones: clients.map((client) => client.phone) });

    const preparationStarted = performance.now();
    await app.get(Preparer).runOnce();
    const preparationSeconds = (performance.now() - preparationStarted) / 1000;

    const before = await sandbox.ledger();
    const worker = app.get(DispatchWorker);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    worker.start();
    await waitUntilSent(dataSource, campaignId, recipients, 250);
    const dispatchSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await worker.stop();
    const after = await sandbox.ledger();
    const requests = after.requestsTotal - before.requestsTotal;
    const messages = after.messagesSent - before.messagesSent;
    const tracking = await measureTrackingCost({
      tracker: app.get(StatusTracker),
      statuses: app.get(RecipientStatusStore),
      campaignId,
      listRequests: async () =>
        ((await sandbox.ledger()).requestsByRoute[LIST_MESSAGES_ROUTE] ?? 0) -
        (before.requestsByRoute[LIST_MESSAGES_ROUTE] ?? 0),
      wait: () => new Promise((resolve) => setTimeout(resolve, 500)),
      maxRounds: 600,
    });
    return {
      recipients,
      preparationSeconds: round(preparationSeconds),
      dispatchSeconds: round(dispatchSeconds),
      sendsPerSecond: Math.round(messages / dispatchSeconds),
      appCpuShare: round((cpu.user + cpu.system) / 1e6 / dispatchSeconds),
      requests,
      messages,
      requestsPerMessage: round(requests / messages, 4),
      trackingRequests: tracking.requests,
      trackingRounds: tracking.rounds,
      requestsPerMessageWithTracking: round((requests + tracking.requests) / messages, 4),
      duplicateSends: after.duplicateSends,
    };
  } finally {
    await app.close();
  }
}

/** (b): two worker processes sharing a 50/s limit that the sandbox enforces with 429s. */
async function measureSharedLimit(
  databaseUrl: string,
  sandbox: SandboxProcess,
  seconds: number,
): Promise<LimitedResult> {
  await sandbox.reset();
  await sandbox.configure({ rateLimitPerSecond: LIMITED_RATE });
  const recipients = Math.round(LIMITED_RATE * seconds);
  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl });
  await dataSource.initialize();
  const env = appEnv(databaseUrl, sandbox, {
    CHAT2DESK_RATE_LIMIT_PER_SECOND: String(LIMITED_RATE),
    DISPATCH_BATCH_SIZE: '50',
  });
  const workers = [spawnWorker(env), spawnWorker(env)];
  try {
    // Earlier runs' message ids are not this sandbox's any more (it was reset): start from a clean table.
    await dataSource.query(`DELETE FROM campaigns`);
    const clients = await sandbox.seedClients({
      count: recipients,
      phonePrefix: '7960',
      transport: 'whatsapp',
      channelId: 1,
    });
    await dataSource.query(`DELETE FROM chat2desk_clients`);
    await cacheClients(dataSource, clients);
    const { campaignId } = await seedCampaign(dataSource, {
      phones: clients.map((client) => client.phone),
      campaignState: 'paused',
    });
    await dataSource.query(
      `UPDATE campaign_recipients SET state = 'ready', next_attempt_at = now(), chat2desk_client_id = k.client_id
       FROM chat2desk_clients k WHERE k.phone = campaign_recipients.phone AND campaign_id = $1`,
      [campaignId],
    );
    await Promise.all(workers.map((worker) => worker.ready));
    const before = await sandbox.ledger();
    const started = performance.now();
    await dataSource.query(`UPDATE campaigns SET state = 'running' WHERE id = $1`, [campaignId]);
    await waitUntilSent(dataSource, campaignId, recipients, 100);
    const elapsed = (performance.now() - started) / 1000;
    const after = await sandbox.ledger();
    const achieved = (after.messagesSent - before.messagesSent) / elapsed;
    return {
      recipients,
      seconds: round(elapsed),
      achievedPerSecond: round(achieved),
      ratio: round(achieved / LIMITED_RATE, 3),
      busiestSecond: after.busiestSecond,
      rateLimited: after.rateLimited,
      duplicateSends: after.duplicateSends,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await dataSource.destroy();
  }
}

/**
 * (d): claims of 100 from a running campaign while a paused one holds `pausedRows` due `ready` rows:
 * the claim must read only rows of running runs (claimable index), whatever is paused.
 */
async function measureClaimLatency(databaseUrl: string, pausedRows: number): Promise<ClaimResult> {
  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl });
  await dataSource.initialize();
  try {
    await dataSource.query(`DELETE FROM campaigns`);
    const paused = await seedCampaign(dataSource, { phones: [], campaignState: 'paused' });
    await dataSource.query(
      `INSERT INTO campaign_recipients (run_id, campaign_id, phone, text, state, next_attempt_at)
       SELECT $1, $2, '7970' || lpad(g::text, 7, '0'), 'paused', 'ready', now() - interval '1 minute'
       FROM generate_series(1, $3::int) g`,
      [paused.runId, paused.campaignId, pausedRows],
    );
    const running = await seedCampaign(dataSource, {
      phones: Array.from({ length: 20_000 }, (_, i) => `7980${String(i).padStart(7, '0')}`),
    });
    await dataSource.query(
      `UPDATE campaign_recipients SET state = 'ready', next_attempt_at = now() - interval '1 minute' WHERE campaign_id = $1`,
      [running.campaignId],
    );
    await dataSource.query(`VACUUM ANALYZE campaign_recipients`);
    const queue = new RecipientQueue(sqlFrom(dataSource));
    const samples: number[] = [];
    for (let index = 0; index < CLAIM_SAMPLES; index += 1) {
      const started = performance.now();
      const claimed = await queue.claimReady('bench', new Date(), 60_000, CLAIM_BATCH);
      samples.push(performance.now() - started);
      if (claimed.length !== CLAIM_BATCH)
        throw new Error(`claimed ${claimed.length} rows, not ${CLAIM_BATCH}`);
      await queue.releaseClaims(claimed);
    }
    const plan = (await queue.claimPlan(new Date(), CLAIM_BATCH)) as Array<{ Plan: PlanNode }>;
    samples.sort((a, b) => a - b);
    return {
      pausedRows,
      medianMs: round(samples[Math.floor(samples.length / 2)], 2),
      p95Ms: round(samples[Math.floor(samples.length * 0.95)], 2),
      planBuffers:
        Number(plan[0].Plan['Shared Hit Blocks'] ?? 0) + Number(plan[0].Plan['Shared Read Blocks'] ?? 0),
      planIndex: recipientIndexOf(plan[0].Plan) ?? 'none',
    };
  } finally {
    await dataSource.destroy();
  }
}

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

function recipientIndexOf(node: PlanNode): string | undefined {
  if (node['Relation Name'] === 'campaign_recipients') return String(node['Index Name'] ?? node['Node Type']);
  for (const child of node.Plans ?? []) {
    const found = recipientIndexOf(child);
    if (found) return found;
  }
  return undefined;
}

async function waitUntilSent(
  dataSource: DataSource,
  campaignId: string,
  total: number,
  pollMs: number,
): Promise<void> {
  for (;;) {
    const counts = await recipientCounts(dataSource, campaignId);
    if ((counts.sent ?? 0) >= total) return;
    if ((counts.failed ?? 0) > 0) throw new Error(`recipients failed: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function recordResults(
  throughput: ThroughputResult,
  limited: LimitedResult,
  claims: ClaimResult,
  databaseKind: string,
  loadAtStart: string,
): void {
  const verdict = (ok: boolean) => (ok ? 'meets' : 'MISSES');
  recordSection('dispatch-bench', [
    '## Dispatch (`npm run bench:dispatch`)',
    '',
    `Last run: ${new Date().toISOString()} — \`npm run bench:dispatch\``,
    `Machine: ${machineDescription(databaseKind)}; sandbox in its own process on the same machine; load average at start ${loadAtStart}`,
    '',
    '| measure | result | target |',
    '| --- | ---: | ---: |',
    `| (a) ${throughput.recipients} recipients, known clients, zero latency: sends/s | ${throughput.sendsPerSecond} (${throughput.dispatchSeconds} s; preparation from the cache ${throughput.preparationSeconds} s) | ≥ ${TARGET.sendsPerSecond} — ${verdict(throughput.sendsPerSecond >= TARGET.sendsPerSecond)} |`,
    `| (b) two processes, shared ${LIMITED_RATE}/s limit, ${limited.recipients} recipients: achieved ÷ limit | ${limited.ratio} (${limited.achievedPerSecond}/s over ${limited.seconds} s; busiest second ${limited.busiestSecond}) | ≥ ${TARGET.rateRatio} — ${verdict(limited.ratio >= TARGET.rateRatio)} |`,
    `| (b) 429 answers | ${limited.rateLimited} | 0 — ${verdict(limited.rateLimited === 0)} |`,
    `| (c) API requests per sent message (a) | ${throughput.requestsPerMessage} (${throughput.requests} requests / ${throughput.messages} messages) | ≤ ${TARGET.requestsPerMessage} — ${verdict(throughput.requestsPerMessage <= TARGET.requestsPerMessage)} |`,
    `| (c) with status tracking until final statuses | ${throughput.requestsPerMessageWithTracking} (+${throughput.trackingRequests} \`GET /v1/messages\` in ${throughput.trackingRounds} rounds) | ≤ ${TARGET.requestsPerMessage} — ${verdict(throughput.requestsPerMessageWithTracking <= TARGET.requestsPerMessage)} |`,
    `| duplicate sends (a) + (b) | ${throughput.duplicateSends + limited.duplicateSends} | 0 |`,
    `| (d) claim of ${CLAIM_BATCH} with ${claims.pausedRows} paused \`ready\` rows: median / p95 over ${CLAIM_SAMPLES} claims | ${claims.medianMs} / ${claims.p95Ms} ms (plan: ${claims.planBuffers} buffers, \`${claims.planIndex}\`) | ≤ ${TARGET.claimMs} ms — ${verdict(claims.p95Ms <= TARGET.claimMs)} |`,
    '',
    `Settings: (a) one app process, \`DISPATCH_BATCH_SIZE=500\`, \`DISPATCH_CONCURRENCY=64\`, two dispatch pipelines, gate rate limit 10,000/s (not binding);`,
    `(b) two worker processes, \`CHAT2DESK_RATE_LIMIT_PER_SECOND=${LIMITED_RATE}\`, the sandbox answering 429 above ${LIMITED_RATE} requests in a calendar second.`,
    `Where the time goes in (a): the dispatching process used ${throughput.appCpuShare} CPU-seconds per second, so it mostly waits — on the`,
    'sandbox (one Node thread answering every request) and on PostgreSQL, which share the two cores with it and with other work (load',
    'average above). Per batch of 500: one claim statement, 500 requests (quota and rate-limit slots are reserved in blocks, not per',
    'request), one record statement; since the last-moment check (docs/architecture.md, invariant 10) the sends whose turn comes',
    'together are admitted by one UPDATE just before their rate-limit slots (one commit per group). A profile at 30k recipients (2026-11-25, load 2.2, PostgreSQL at DATABASE_URL): claim ≈ 24 ms and',
    'record ≈ 26 ms per batch, a send ≈ 13 ms with 64 in flight (the client keeps at most 64 sockets) → 4,600 sends/s; sends dominate.',
    '(b) is capped by the shared limiter (Chat2Desk gate) spacing slots at 97.5 % of the limit. A slot whose timer fires more than ~13 ms',
    'late (a CPU-starved process) is traded for a new one, so late timers cannot bunch a second over the limit; a 429 would still',
    'only make the gate back off for every instance and retry (nothing lost or sent twice).',
    '',
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
