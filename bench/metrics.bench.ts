/**
 * `npm run bench:metrics`: GET /metrics over HTTP with 1M campaign_recipients in the table (issue
 * "several instances on one PostgreSQL": a scrape takes ≤ 50 ms). The database-wide gauges come from
 * the snapshot MetricSnapshotJob computes (one count per interval, on one instance); for comparison,
 * the per-scrape count the scrape used to run. On embedded PostgreSQL (or DATABASE_URL); results go
 * to bench/RESULTS.md. Options: --recipients N (1000000), --scrapes N (200).
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { loadAppConfig } from '../src/config/app-config';
import { runMigrations } from '../src/database/migrations';
import { MetricSnapshotJob } from '../src/metrics/metric-snapshot.job';
import { MetricSnapshotStore } from '../src/metrics/metric-snapshot.store';
import { MetricsService } from '../src/metrics/metrics.service';
import { RecipientReportsStore } from '../src/recipients/recipient-reports.store';
import { startSandboxServer } from '../src/sandbox/sandbox-server';
import { argument, loadAverage, machineDescription, recordSection, round } from './bench-report';
import { provisionBenchDatabase } from './bench-database';

const TMP = join(__dirname, 'tmp');
const API_KEY = 'bench-api-key-0123456789';
const TARGET_MS = 50;
const WARM_UP_SCRAPES = 20;
const COUNT_SAMPLES = 10;
const READ_SAMPLES = 200;

/** A finished campaign's spread of states, by `g % 100` of the generated row. */
const STATE_BY_PERCENT = `CASE WHEN g % 100 < 60 THEN 'delivered' WHEN g % 100 < 80 THEN 'read'
  WHEN g % 100 < 88 THEN 'sent' WHEN g % 100 < 93 THEN 'failed' WHEN g % 100 < 97 THEN 'skipped'
  WHEN g % 100 < 99 THEN 'unknown' ELSE 'expired' END`;

interface Timings {
  p50: number;
  p99: number;
  max: number;
}

async function main(): Promise<void> {
  const recipients = Number(argument('--recipients') ?? 1_000_000);
  const scrapes = Number(argument('--scrapes') ?? 200);
  mkdirSync(TMP, { recursive: true });
  const loadAtStart = loadAverage();
  const sandbox = await startSandboxServer({ port: 0 });
  const database = await provisionBenchDatabase(TMP, 'metrics');
  try {
    await runMigrations(database.url);
    const seedSeconds = await seed(database.url, recipients);
    console.log(`seeded ${recipients} recipients in ${seedSeconds} s`);

    const app = await createApp(
      loadAppConfig({
        DATABASE_URL: database.url,
        CHAT2DESK_API_URL: sandbox.url,
        CHAT2DESK_TOKEN: sandbox.token,
        CHAT2DESK_MONTHLY_QUOTA: '50000',
        API_KEY,
        DATA_DIR: mkdtempSync(join(TMP, 'metrics-data-')),
        LOG_LEVEL: 'silent',
        // The loops are off: the snapshot round the metrics-snapshot task runs is called below.
        SCHEDULER_ENABLED: 'false',
      }),
    );
    await app.listen(0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/metrics`;
      const snapshotStarted = performance.now();
      const snapshotRound = await app.get(MetricSnapshotJob).refreshIfDue();
      const snapshotMs = performance.now() - snapshotStarted;
      if (snapshotRound !== 'computed')
        throw new Error(`the snapshot round did not compute (${snapshotRound})`);

      const first = await scrape(url);
      const total = [...first.matchAll(/^recipients_by_state\{state="\w+"\} (\d+)$/gm)].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
      if (total !== recipients) throw new Error(`the scrape shows ${total} recipients, not ${recipients}`);
      if (!/^metrics_snapshot_age_seconds /m.test(first)) throw new Error('no metrics_snapshot_age_seconds');

      for (let index = 0; index < WARM_UP_SCRAPES; index += 1) await scrape(url);
      const scrapeTimings = await timeEach(scrapes, () => scrape(url));
      const bytes = Buffer.byteLength(first);
      const render = await timeEach(scrapes, () => app.get(MetricsService).render());
      const read = await timeEach(READ_SAMPLES, () => app.get(MetricSnapshotStore).read());
      // What every scrape of every node used to run (count(*) GROUP BY state over the whole table).
      const count = await timeEach(COUNT_SAMPLES, () => app.get(RecipientReportsStore).countsByState());

      const result = {
        recipients,
        seedSeconds,
        snapshotMs: round2(snapshotMs),
        scrapes,
        bytes,
        scrapeTimings,
        render,
        read,
        count,
      };
      console.log(JSON.stringify(result, null, 2));
      record(result, database.kind, loadAtStart);
    } finally {
      await app.close();
    }
  } finally {
    await database.stop();
    await sandbox.close();
  }
}

/** One list, one finished campaign and run, `count` recipients in final states: SQL only. */
async function seed(databaseUrl: string, count: number): Promise<number> {
  const started = performance.now();
  const dataSource = await new DataSource({ type: 'postgres', url: databaseUrl }).initialize();
  try {
    const [list] = await dataSource.query<Array<{ id: string }>>(
      `INSERT INTO contact_lists (name) VALUES ('metrics bench') RETURNING id`,
    );
    const [campaign] = await dataSource.query<Array<{ id: string }>>(
      `INSERT INTO campaigns (name, list_id, text, transport, channel_id, state, started_at, finished_at)
       VALUES ('metrics bench', $1, 'Hello', 'whatsapp', 1, 'completed', now(), now()) RETURNING id`,
      [list.id],
    );
    const [run] = await dataSource.query<Array<{ id: string }>>(
      `INSERT INTO campaign_runs (campaign_id, occurrence_at, state, message_text, started_at, finished_at)
       VALUES ($1, now(), 'completed', 'Hello', now(), now()) RETURNING id`,
      [campaign.id],
    );
    await dataSource.query(
      `INSERT INTO campaign_recipients (run_id, campaign_id, phone, text, state)
       SELECT $1, $2, '7990' || lpad(g::text, 7, '0'), 'Hello', ${STATE_BY_PERCENT}
       FROM generate_series(1, $3::int) g`,
      [run.id, campaign.id, count],
    );
    await dataSource.query(`VACUUM ANALYZE campaign_recipients`);
  } finally {
    await dataSource.destroy();
  }
  return round((performance.now() - started) / 1000);
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${API_KEY}` } });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}: ${body}`);
  return body;
}

/** Runs `work` `times` times one after the other; p50, p99 and max of the durations in ms. */
async function timeEach(times: number, work: () => Promise<unknown>): Promise<Timings> {
  const samples: number[] = [];
  for (let index = 0; index < times; index += 1) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (quantile: number) =>
    round2(samples[Math.min(samples.length - 1, Math.ceil(quantile * samples.length) - 1)]);
  return { p50: at(0.5), p99: at(0.99), max: round2(samples[samples.length - 1]) };
}

const round2 = (value: number) => round(value, 2);

function record(
  result: {
    recipients: number;
    seedSeconds: number;
    snapshotMs: number;
    scrapes: number;
    bytes: number;
    scrapeTimings: Timings;
    render: Timings;
    read: Timings;
    count: Timings;
  },
  databaseKind: string,
  loadAtStart: string,
): void {
  const { scrapeTimings: scrape, render, read, count } = result;
  const verdict = scrape.p99 <= TARGET_MS ? 'meets' : 'MISSES';
  recordSection('metrics-bench', [
    '## Metrics scrape (`npm run bench:metrics`)',
    '',
    `Last run: ${new Date().toISOString()} — \`npm run bench:metrics\``,
    `Machine: ${machineDescription(databaseKind)}; load average at start ${loadAtStart}, when the run ended ${loadAverage()}`,
    '',
    '| measure | result | target |',
    '| --- | ---: | ---: |',
    `| GET /metrics over HTTP with ${result.recipients} recipients, ${result.scrapes} sequential scrapes: p50 / p99 / max | ${scrape.p50} / ${scrape.p99} / ${scrape.max} ms (${result.bytes} bytes) | p99 ≤ ${TARGET_MS} ms — ${verdict} |`,
    `| in-process, no HTTP: \`MetricsService.render\` (snapshot read + the whole registry), ${result.scrapes} runs: p50 / p99 / max | ${render.p50} / ${render.p99} / ${render.max} ms | |`,
    `| the scrape's database query (\`MetricSnapshotStore.read\`, ${READ_SAMPLES} runs): p50 / p99 / max | ${read.p50} / ${read.p99} / ${read.max} ms | |`,
    `| before: the count each scrape of each node ran (\`countsByState\`, ${COUNT_SAMPLES} runs): p50 / p99 / max | ${count.p50} / ${count.p99} / ${count.max} ms | |`,
    `| one snapshot round (count by state + quota status + write), once per \`METRICS_SNAPSHOT_INTERVAL_MS\` on one node | ${result.snapshotMs} ms | |`,
    '',
    `Setup: one app process (\`SCHEDULER_ENABLED=false\`, the snapshot round called once before the scrapes), ${WARM_UP_SCRAPES} warm-up scrapes,`,
    `the recipients of one finished campaign seeded with \`INSERT … SELECT generate_series\` (${result.seedSeconds} s, then \`VACUUM ANALYZE\`),`,
    'the Chat2Desk sandbox in-process (idle during the scrapes). A scrape reads the few rows of `metric_snapshots` and renders',
    "the registry (the Node.js process metrics included); it no longer counts `campaign_recipients`, so its time doesn't grow with the table.",
    '',
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
