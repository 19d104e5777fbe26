/**
 * npm run bench:lists [-- --contacts 1000000 --lists 50 --requests 200 --old-requests 200]
 * `GET /api/lists` under load with a million contacts: seeds the contacts with SQL (`INSERT … SELECT
 * generate_series`, in statements of 10,000 rows as an import's COPY batches come, so the count
 * triggers leave one row per list and statement), starts the app over HTTP and fires `--requests`
 * concurrent requests with the API key: once on the count rows as the seeding left them, once after
 * the compaction folded them. For comparison, the query that counted `contacts` on every request
 * (before migration 1764300000001) runs `--old-requests` times concurrently over a pool of the app's
 * size (DATABASE_POOL_SIZE, 20). Records p50/p95/p99/max in bench/RESULTS.md.
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { createApp } from '../src/app.factory';
import { loadAppConfig } from '../src/config/app-config';
import { ContactListStore } from '../src/contacts/contact-list.store';
import { runMigrations } from '../src/database/migrations';
import { startSandboxServer } from '../src/sandbox/sandbox-server';
import { provisionBenchDatabase } from './bench-database';
import { argument, loadAverage, machineDescription, recordSection, round } from './bench-report';

const TMP = join(__dirname, 'tmp');
const API_KEY = 'bench-api-key-0123456789';
const TARGET_P99_MS = 1_000;
const SEED_BATCH = 10_000;
const POOL_SIZE = 20;

/** What `ContactListStore.summaries` ran before the counts were kept: two counts over contacts per list. */
const OLD_SUMMARIES_SQL = `
  SELECT l.id, l.name, l.created_at AS "createdAt", l.updated_at AS "updatedAt",
         coalesce(c.contacts, 0) AS contacts, coalesce(c.opted_out, 0) AS "optedOut"
  FROM contact_lists l
  LEFT JOIN LATERAL (
    SELECT count(*) AS contacts, count(*) FILTER (WHERE opted_out) AS opted_out FROM contacts WHERE list_id = l.id
  ) c ON true
  ORDER BY l.created_at, l.name`;

interface Latencies {
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** From the first request sent to the last answer. */
  wallMs: number;
}

interface Seeded {
  contacts: number;
  optedOut: number;
  lists: number;
  seconds: number;
  countRows: number;
}

interface PlanSummary {
  ms: number;
  buffers: number;
}

async function main(): Promise<void> {
  const contacts = Number(argument('--contacts') ?? 1_000_000);
  const listCount = Number(argument('--lists') ?? 50);
  const requests = Number(argument('--requests') ?? 200);
  const oldRequests = Number(argument('--old-requests') ?? 200);
  mkdirSync(TMP, { recursive: true });
  const loadAtStart = loadAverage();
  const database = await provisionBenchDatabase(TMP, 'lists');
  const dataDir = mkdtempSync(join(TMP, 'lists-data-'));
  const sandbox = await startSandboxServer();
  try {
    await runMigrations(database.url);
    const seeded = await seed(database.url, contacts, listCount);
    console.log(JSON.stringify({ seeded }));

    const config = loadAppConfig({
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      API_KEY,
      LOG_LEVEL: 'silent',
      SCHEDULER_ENABLED: 'false',
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      CHAT2DESK_API_URL: sandbox.url,
      CHAT2DESK_TOKEN: sandbox.token,
    });
    const app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    let uncompacted: Latencies;
    let compacted: Latencies;
    let compaction: { removed: number; written: number; ms: number };
    try {
      const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/api/lists`;
      for (let warm = 0; warm < 5; warm++) await getLists(url, seeded);
      uncompacted = await concurrentGets(url, requests, seeded);
      console.log(JSON.stringify({ uncompacted }));
      const started = performance.now();
      compaction = { ...(await app.get(ContactListStore).compactCounts()), ms: 0 };
      compaction.ms = round(performance.now() - started, 1);
      compacted = await concurrentGets(url, requests, seeded);
      console.log(JSON.stringify({ compaction, compacted }));
    } finally {
      await app.close();
    }

    const plans = await explainBoth(database.url);
    console.log(JSON.stringify({ plans }));
    const old = oldRequests > 0 ? await concurrentOldQueries(database.url, oldRequests) : undefined;
    console.log(JSON.stringify({ old }));
    recordResults({
      seeded,
      uncompacted,
      compaction,
      compacted,
      plans,
      old,
      database: database.kind,
      loadAtStart,
    });
  } finally {
    await sandbox.close();
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Lists, then contacts in statements of SEED_BATCH rows spread over every list (2 % opted out). */
async function seed(databaseUrl: string, contacts: number, lists: number): Promise<Seeded> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    const ids = (
      await client.query<{ id: string }>(
        `INSERT INTO contact_lists (name, created_at)
         SELECT 'bench list ' || n, now() + n * interval '1 millisecond' FROM generate_series(1, $1) n RETURNING id`,
        [lists],
      )
    ).rows.map((row) => row.id);
    for (let from = 1; from <= contacts; from += SEED_BATCH) {
      await client.query(
        `INSERT INTO contacts (list_id, phone, name, attributes, opted_out, phone_type, country)
         SELECT ($1::uuid[])[1 + n % cardinality($1::uuid[])], '7916' || lpad(n::text, 7, '0'), 'Contact ' || n,
                jsonb_build_object('city', 'Moscow', 'tier', n % 3), n % 50 = 0, 'mobile', 'RU'
         FROM generate_series($2::int, $3::int) n`,
        [ids, from, Math.min(from + SEED_BATCH - 1, contacts)],
      );
    }
    await client.query('VACUUM ANALYZE contacts');
    await client.query('VACUUM ANALYZE contact_list_count_deltas');
    const [totals] = (
      await client.query<{ contacts: number; optedOut: number; countRows: number }>(
        `SELECT (SELECT count(*) FROM contacts)::int AS contacts,
                (SELECT count(*) FROM contacts WHERE opted_out)::int AS "optedOut",
                (SELECT count(*) FROM contact_list_count_deltas)::int AS "countRows"`,
      )
    ).rows;
    return { ...totals, lists, seconds: round((performance.now() - started) / 1000, 1) };
  } finally {
    await client.end();
  }
}

/** One authenticated request; fails unless every list is there and the counts add up to the seeded totals. */
async function getLists(url: string, seeded: Seeded): Promise<void> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${API_KEY}` } });
  if (response.status !== 200) throw new Error(`GET /api/lists answered ${response.status}`);
  const lists = (await response.json()) as Array<{ contacts: number; optedOut: number }>;
  const contacts = lists.reduce((sum, list) => sum + list.contacts, 0);
  const optedOut = lists.reduce((sum, list) => sum + list.optedOut, 0);
  if (lists.length !== seeded.lists || contacts !== seeded.contacts || optedOut !== seeded.optedOut)
    throw new Error(`GET /api/lists: ${lists.length} lists, ${contacts} contacts, ${optedOut} opted out`);
}

async function concurrentGets(url: string, requests: number, seeded: Seeded): Promise<Latencies> {
  return measureConcurrently(requests, () => getLists(url, seeded));
}

/** The pre-migration query, `requests` at once over a pool of the app's size. */
async function concurrentOldQueries(databaseUrl: string, requests: number): Promise<Latencies> {
  const pool = new Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  try {
    await pool.query(OLD_SUMMARIES_SQL);
    return await measureConcurrently(requests, () => pool.query(OLD_SUMMARIES_SQL));
  } finally {
    await pool.end();
  }
}

async function measureConcurrently(requests: number, call: () => Promise<unknown>): Promise<Latencies> {
  const started = performance.now();
  const durations = await Promise.all(
    Array.from({ length: requests }, async () => {
      const sent = performance.now();
      await call();
      return performance.now() - sent;
    }),
  );
  const wallMs = performance.now() - started;
  durations.sort((a, b) => a - b);
  // Nearest rank: p99 of 200 answers is the 198th fastest.
  const percentile = (p: number) => round(durations[Math.ceil((p / 100) * durations.length) - 1], 1);
  return {
    requests,
    p50: percentile(50),
    p95: percentile(95),
    p99: percentile(99),
    max: round(durations[durations.length - 1], 1),
    wallMs: round(wallMs, 1),
  };
}

/** EXPLAIN (ANALYZE, BUFFERS) of the summaries query now and of the old one, each run alone. */
async function explainBoth(databaseUrl: string): Promise<{ now: PlanSummary; old: PlanSummary }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const explain = async (sql: string): Promise<PlanSummary> => {
      const { rows } = await client.query<{ 'QUERY PLAN': Array<Record<string, unknown>> }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`,
      );
      const [root] = rows[0]['QUERY PLAN'];
      const plan = root.Plan as Record<string, number>;
      return {
        ms: round(root['Execution Time'] as number, 1),
        buffers: (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0),
      };
    };
    return { now: await explain(CURRENT_SUMMARIES_SQL), old: await explain(OLD_SUMMARIES_SQL) };
  } finally {
    await client.end();
  }
}

/** ContactListStore.summaries() for every list, as it is now (kept in step with the store by hand). */
const CURRENT_SUMMARIES_SQL = `
  SELECT l.id, l.name, l.created_at AS "createdAt", l.updated_at AS "updatedAt",
         coalesce(c.contacts, 0) AS contacts, coalesce(c.opted_out, 0) AS "optedOut"
  FROM contact_lists l
  LEFT JOIN (
    SELECT list_id, sum(contacts) AS contacts, sum(opted_out) AS opted_out
    FROM contact_list_count_deltas GROUP BY list_id
  ) c ON c.list_id = l.id
  ORDER BY l.created_at, l.name`;

function recordResults(run: {
  seeded: Seeded;
  uncompacted: Latencies;
  compaction: { removed: number; written: number; ms: number };
  compacted: Latencies;
  plans: { now: PlanSummary; old: PlanSummary };
  old?: Latencies;
  database: string;
  loadAtStart: string;
}): void {
  const { seeded, uncompacted, compaction, compacted, plans, old } = run;
  const row = (label: string, l: Latencies) =>
    `| ${label} | ${l.requests} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.max} | ${l.wallMs} |`;
  const verdict = (l: Latencies) => (l.p99 <= TARGET_P99_MS ? 'meets' : 'MISSES');
  const defaults = seeded.contacts === 1_000_000 && seeded.lists === 50 && uncompacted.requests === 200;
  recordSection('lists-bench', [
    '## Contact lists under load (`npm run bench:lists`)',
    '',
    `Last run: ${new Date().toISOString()} — \`npm run bench:lists${defaults && old?.requests === 200 ? '' : ` -- --contacts ${seeded.contacts} --lists ${seeded.lists} --requests ${uncompacted.requests} --old-requests ${old?.requests ?? 0}`}\``,
    `Machine: ${machineDescription(run.database)}; app and load generator in one process (fetch over HTTP on 127.0.0.1, DATABASE_POOL_SIZE=${POOL_SIZE}); load average at start ${run.loadAtStart}, at the end ${loadAverage()}`,
    '',
    `Seeded ${seeded.contacts} contacts (${seeded.optedOut} opted out) in ${seeded.lists} lists with \`INSERT … SELECT generate_series\` in statements of ${SEED_BATCH} rows: ${seeded.seconds} s, leaving ${seeded.countRows} count rows (one per list and statement).`,
    '',
    `| ${uncompacted.requests} concurrent \`GET /api/lists\` | requests | p50 ms | p95 ms | p99 ms | max ms | all answered after ms |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row(`maintained counts, ${seeded.countRows} count rows (before compaction)`, uncompacted),
    row(`maintained counts, ${compaction.written} count rows (after compaction)`, compacted),
    ...(old ? [row('old query (count over contacts), SQL only over a 20-connection pool', old)] : []),
    '',
    `Target: p99 ≤ ${TARGET_P99_MS} ms with 1M contacts — before compaction ${verdict(uncompacted)}, after ${verdict(compacted)}.`,
    `Compaction of the ${compaction.removed} rows into ${compaction.written}: ${compaction.ms} ms (one statement).`,
    `The query alone (EXPLAIN ANALYZE, after compaction): ${plans.now.ms} ms and ${plans.now.buffers} buffers now; ${plans.old.ms} ms and ${plans.old.buffers} buffers for the old one.`,
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
