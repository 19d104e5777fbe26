/**
 * npx ts-node --transpile-only bench/lists/trigger-cost.ts [rows]
 * What the list-count triggers (migration 1764300000001) cost the writes they watch, measured apart from
 * the import's parsing: the same COPY text of `rows` contacts (default 939,000, what bench:import
 * stores), in statements of 10,000 rows in one transaction, into an empty list on a fresh database,
 * alternately with the triggers disabled and enabled (three pairs); then a whole-list UPDATE of those
 * rows (old and new transition tables) twice each way. Prints wall time and the PostgreSQL backend's
 * CPU time (/proc, so the server must run on this machine: the embedded one, or DATABASE_URL local).
 * Not recorded automatically: bench/RESULTS.md quotes it in the lists section.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { runMigrations } from '../../src/database/migrations';
import { provisionBenchDatabase } from '../bench-database';
import { loadAverage } from '../bench-report';

const ROWS = Number(process.argv[2] ?? 939_000);
const BATCH = 10_000;

async function main(): Promise<void> {
  const database = await provisionBenchDatabase(join(__dirname, '..', 'tmp'), 'trigger-cost');
  const client = new Client({ connectionString: database.url });
  try {
    await runMigrations(database.url);
    await client.connect();
    const [{ id: listId }] = (
      await client.query<{ id: string }>(`INSERT INTO contact_lists (name) VALUES ('p') RETURNING id`)
    ).rows;
    const batches: Buffer[] = [];
    for (let from = 0; from < ROWS; from += BATCH) {
      let text = '';
      for (let n = from; n < Math.min(from + BATCH, ROWS); n++)
        text += `${listId}\t7916${String((n * 7919) % 10_000_000).padStart(7, '0')}\tContact ${n}\t{"city": "Moscow", "tier": "${n % 3}"}\tmobile\tRU\n`;
      batches.push(Buffer.from(text));
    }
    const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    const backendCpuMs = () => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
    const timed = async (label: string, work: () => Promise<void>) => {
      const started = performance.now();
      const cpu = backendCpuMs();
      await work();
      const seconds = (performance.now() - started) / 1000;
      const cpuSeconds = (backendCpuMs() - cpu) / 1000;
      console.log(
        `${label}: ${seconds.toFixed(2)} s, backend CPU ${cpuSeconds.toFixed(2)} s (load ${loadAverage()})`,
      );
    };
    const triggers = (on: boolean) =>
      client.query(`ALTER TABLE contacts ${on ? 'ENABLE' : 'DISABLE'} TRIGGER USER`);

    for (const on of [false, true, false, true, false, true]) {
      await client.query('TRUNCATE contacts CASCADE');
      await client.query('CHECKPOINT');
      await triggers(on);
      await timed(`COPY of ${ROWS} rows, triggers ${on ? 'on ' : 'off'}`, async () => {
        await client.query('BEGIN');
        for (const batch of batches) {
          const copy = client.query(
            copyFrom('COPY contacts (list_id, phone, name, attributes, phone_type, country) FROM STDIN'),
          );
          await pipeline(Readable.from([batch]), copy);
        }
        await client.query('COMMIT');
      });
    }
    for (const on of [false, true, false, true]) {
      await triggers(on);
      await client.query('VACUUM contacts');
      await client.query('CHECKPOINT');
      await timed(`UPDATE of ${ROWS} rows, triggers ${on ? 'on ' : 'off'}`, async () => {
        await client.query(
          `UPDATE contacts SET opted_out = NOT opted_out, updated_at = now() WHERE list_id = $1`,
          [listId],
        );
      });
    }
  } finally {
    await client.end().catch(() => undefined);
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
