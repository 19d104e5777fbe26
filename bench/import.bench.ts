/**
 * npm run bench:import [-- --rows 1000000]
 * Generates a CSV under bench/tmp/ and imports it end to end through ImportService (the API's path):
 * upload stored in PostgreSQL → spooled to the parser thread → COPY into staging → set-based merge,
 * on embedded PostgreSQL (or DATABASE_URL).
 * Prints rows/s, wall time and peak RSS, and records them in bench/RESULTS.md.
 *
 * The import itself runs in a child process on the compiled JavaScript, as `npm start` runs: under
 * ts-node the TypeScript compiler alone holds ~150 MB and the parser thread would compile itself too.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CoreModule } from '../src/common/core.module';
import { loadAppConfig } from '../src/config/app-config';
import { ContactListsService } from '../src/contacts/contact-lists.service';
import { ContactsModule } from '../src/contacts/contacts.module';
import { ImportService } from '../src/contacts/import.service';
import { runMigrations } from '../src/database/migrations';
import { buildTypeOrmOptions } from '../src/database/typeorm-options';
import { startSandboxServer } from '../src/sandbox/sandbox-server';
import { provisionBenchDatabase } from './bench-database';
import { argument, loadAverage, machineDescription, recordSection, round } from './bench-report';
import { generateCsv } from './import/generate-csv';

const TMP = join(__dirname, 'tmp');
const TARGET = { seconds: 12, rssMb: 256 };

const DIST = join(TMP, 'dist');

async function main(): Promise<void> {
  if (process.argv.includes('--child')) {
    const result = await importOnce(argument('--database')!, argument('--csv')!);
    console.log(JSON.stringify(result));
    return;
  }
  const rows = Number(argument('--rows') ?? 1_000_000);
  mkdirSync(TMP, { recursive: true });
  const csv = join(TMP, `contacts-${rows}.csv`);
  const generated = await generateCsv(csv, rows);
  console.log(
    `Generated ${csv}: ${rows} rows, ${(generated.bytes / 1e6).toFixed(1)} MB (${generated.invalid} invalid, ${generated.duplicates} repeated phones)`,
  );

  const database = await provisionBenchDatabase(TMP, 'import');
  try {
    await runMigrations(database.url);
    const result = runCompiledChild(database.url, csv);
    console.log(JSON.stringify(result, null, 2));
    const ok = result.seconds <= TARGET.seconds && result.peakRssMb <= TARGET.rssMb;
    console.log(`${ok ? 'MEETS' : 'MISSES'} the target (≤ ${TARGET.seconds} s, ≤ ${TARGET.rssMb} MB RSS)`);
    recordResults(rows, result, database.kind);
  } finally {
    await database.stop();
  }
}

async function importOnce(databaseUrl: string, csv: string) {
  // ContactsModule's metrics bring the Chat2Desk client, which checks its token once at start.
  const sandbox = await startSandboxServer();
  const config = loadAppConfig({
    DATABASE_URL: databaseUrl,
    DATA_DIR: join(TMP, 'data'),
    LOG_LEVEL: 'silent',
    SCHEDULER_ENABLED: 'false',
    CHAT2DESK_API_URL: sandbox.url,
    CHAT2DESK_TOKEN: sandbox.token,
  });
  @Module({
    imports: [
      CoreModule.forRoot(config),
      TypeOrmModule.forRoot(buildTypeOrmOptions(databaseUrl)),
      ContactsModule,
    ],
  })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  try {
    const list = await app.get(ContactListsService).create(`bench ${new Date().toISOString()}`);
    const imports = app.get(ImportService);
    const uploadStarted = process.hrtime.bigint();
    const upload = await imports.storeUpload(createReadStream(csv));
    const uploadSeconds = Number(process.hrtime.bigint() - uploadStarted) / 1e9;
    const job = await imports.create({
      listId: list.id,
      upload,
      originalName: 'contacts.csv',
      defaultCountry: 'RU',
    });
    const baselineRss = process.memoryUsage.rss();
    const rss = new PeakRss();
    const started = process.hrtime.bigint();
    let parsedAt = started;
    const done = await imports.run(job.id, () => (parsedAt = process.hrtime.bigint()));
    const finished = process.hrtime.bigint();
    rss.stop();
    if (done.status !== 'completed') throw new Error(`Import ${done.status}: ${done.error}`);
    const seconds = Number(finished - started) / 1e9;
    return {
      rows: done.rows,
      imported: done.imported,
      updated: done.updated,
      duplicates: done.duplicates,
      invalid: done.invalid,
      uploadSeconds: round(uploadSeconds),
      seconds: round(seconds),
      parseAndCopySeconds: round(Number(parsedAt - started) / 1e9),
      mergeSeconds: round(Number(finished - parsedAt) / 1e9),
      rowsPerSecond: Math.round(done.rows / seconds),
      peakRssMb: Math.round(rss.peak / 1024 / 1024),
      rssBeforeImportMb: Math.round(baselineRss / 1024 / 1024),
      fileMb: round(statSync(csv).size / 1e6),
    };
  } finally {
    await app.close();
    await sandbox.close();
  }
}

function runCompiledChild(databaseUrl: string, csv: string): Awaited<ReturnType<typeof importOnce>> {
  console.log('Compiling to bench/tmp/dist (the import runs as compiled JavaScript)…');
  try {
    execFileSync(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        '-p',
        'tsconfig.json',
        '--outDir',
        DIST,
        '--noEmit',
        'false',
        '--incremental',
        'false',
        '--sourceMap',
        'false',
      ],
      {
        cwd: join(__dirname, '..'),
        stdio: 'ignore',
      },
    );
  } catch {
    // Type errors elsewhere in the tree still emit JavaScript; a missing file below is the real failure.
  }
  try {
    const output = execFileSync(
      process.execPath,
      [join(DIST, 'bench', 'import.bench.js'), '--child', '--database', databaseUrl, '--csv', csv],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    return JSON.parse(output.trim().split('\n').pop()!);
  } finally {
    rmSync(DIST, { recursive: true, force: true }); // compiled copies would otherwise be linted and type-checked
  }
}

/** Samples the whole process (main thread, parser thread, buffers) every 20 ms. */
class PeakRss {
  peak = process.memoryUsage.rss();
  private readonly timer = setInterval(
    () => (this.peak = Math.max(this.peak, process.memoryUsage.rss())),
    20,
  );

  stop(): void {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }
}

function recordResults(rows: number, result: Awaited<ReturnType<typeof importOnce>>, database: string): void {
  recordSection('import-bench', [
    '## CSV import (`npm run bench:import`)',
    '',
    `Last run: ${new Date().toISOString()} — \`npm run bench:import${rows === 1_000_000 ? '' : ` -- --rows ${rows}`}\``,
    `Machine: ${machineDescription(database)}; load average (1, 5, 15 min) when the run ended ${loadAverage()}`,
    '',
    'Wall time is the job (spooling the stored upload to the parser, parse, COPY, merge); the upload into PostgreSQL is apart.',
    '',
    '| rows | upload into PostgreSQL | wall time | parse + COPY | merge | rows/s | peak RSS (before import) | file | imported | duplicates | invalid |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${result.rows} | ${result.uploadSeconds} s | ${result.seconds} s | ${result.parseAndCopySeconds} s | ${result.mergeSeconds} s | ${result.rowsPerSecond} | ${result.peakRssMb} MB (${result.rssBeforeImportMb} MB) | ${result.fileMb} MB | ${result.imported} | ${result.duplicates} | ${result.invalid} |`,
    '',
    `Target: ≤ ${TARGET.seconds} s and ≤ ${TARGET.rssMb} MB RSS for 1M rows.`,
    '',
    ...IMPORT_NOTES,
  ]);
}

/** What the numbers above are made of, measured separately on this machine (kept across runs). */
const IMPORT_NOTES = [
  'Three runs in a row (2026-11-25 04:47–04:48 UTC, load average 1.2–1.7 — mostly the runs themselves): 11.15 / 11.24 /',
  '11.50 s, 89,685 / 88,935 / 86,946 rows/s, peak RSS 227 / 219 / 232 MB: all meet the target, by ~0.5–0.9 s and ~25 MB.',
  "The margin is small and the slow part is PostgreSQL's, so other work on the two cores can still push a run past 12 s.",
  '',
  'Where the time goes (2026-11-25, measured apart on the same 1M-row file):',
  '- Parsing alone (parser thread: decode, csv-parse, phones, dedupe, COPY text): ~7 s of one core (17 s before the',
  '  proven-prefix phone cache). libphonenumber now runs 14,475 times for the million rows instead of ~360,000',
  '  (10,000 of them the short invalid values, never cached): its answer is cached per prefix that the metadata',
  '  proves decides it (`8916…`, `+7916…`, `916…`: 4 digits for RU mobiles; 4,220 entries), see',
  '  src/contacts/import/phone-prefix-analysis.ts. GC and csv-parse are now the largest parts.',
  '- PostgreSQL alone (`\\copy` of the 939k contact rows, 129 MB of COPY text, into `contacts`; PostgreSQL 15 at',
  "  127.0.0.1): 8.7 s with the schema's indexes, 5.2 s without the unique (list_id, phone) index, 1.2 s into an",
  '  index-free temporary table; `INSERT … SELECT` from such a staging table into `contacts` is slower than COPY',
  '  (11.7 s; 12.8 s sorted by phone), so the empty-list path keeps COPYing straight into `contacts`.',
  '- The two overlap (parser thread and PostgreSQL on one core each; the main thread is idle >90 % of the run), so the',
  "  wall time is PostgreSQL's COPY (~10 s) + ~0.5 s until the first batch + the merge (~0.5 s). The remaining",
  '  bottleneck is PostgreSQL inserting into `contacts` (heap + WAL + the unique index), not Node.',
  '- RSS: ~105 MB is the Nest application before the import; the parser thread (V8 heap capped at 96 MB old /',
  '  16 MB young generation, set in parser-thread.ts as in production; off-heap dedupe table of 24 MB at 1M phones)',
  '  and ≤ 4 batches of 10,000 rows in flight (UTF-8 COPY bytes moved, not copied, between threads) make the rest.',
  '- Other work on the two cores slows every stage: earlier runs at load average 3–10 took 17–32 s.',
];

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
