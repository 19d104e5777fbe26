import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ListCountDeltas1764300000001 } from '../../migrations/1764300000001-ListCountDeltas';
import { createContactsHarness, ContactsHarness } from '../../test/support/contacts-harness';
import { waitFor } from '../../test/support/wait-for';
import { Database } from '../database/database';
import { ContactListStore } from './contact-list.store';
import type { ImportMode } from './import/import.types';

/**
 * The contact and opted-out counts of `GET /api/lists` are kept by triggers on `contacts` (rows in
 * `contact_list_count_deltas`, folded by a periodic compaction). After every kind of write the
 * maintained counts must equal a real count(*) over `contacts`.
 */
let harness: ContactsHarness;
let store: ContactListStore;
let database: Database;
const lists: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

beforeAll(async () => {
  harness = await createContactsHarness();
  store = harness.module.get(ContactListStore);
  database = harness.module.get(Database);
  for (const key of ['a', 'b', 'c'] as const) lists[key] = (await harness.lists.create(`counts ${key}`)).id;
});
afterAll(() => harness.close());

const phone = (n: number) => `7916${String(n).padStart(7, '0')}`;

async function importPhones(listId: string, numbers: number[], mode?: ImportMode) {
  const path = join(harness.config.dataDir, `${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, `phone,name\n${numbers.map((n) => `${phone(n)},Contact ${n}\n`).join('')}`);
  const job = await harness.queueImport(listId, path, { mode });
  const done = await harness.imports.run(job.id);
  expect(done.status).toBe('completed');
  return done;
}

/** Every list's maintained counts (all lists, and each one alone) against count(*) over contacts. */
async function expectCountsMatch(): Promise<Record<string, { contacts: number; optedOut: number }>> {
  const maintained = (await harness.lists.list()).map(({ id, contacts, optedOut }) => ({
    id,
    contacts,
    optedOut,
  }));
  const real = await harness.dataSource.query<Array<{ id: string; contacts: number; optedOut: number }>>(
    `SELECT l.id, count(c.id)::int AS contacts, count(c.id) FILTER (WHERE c.opted_out)::int AS "optedOut"
     FROM contact_lists l LEFT JOIN contacts c ON c.list_id = l.id
     GROUP BY l.id ORDER BY min(l.created_at), min(l.name)`,
  );
  expect(maintained).toEqual(real);
  for (const list of real) {
    const one = await harness.lists.get(list.id);
    expect({ id: one.id, contacts: one.contacts, optedOut: one.optedOut }).toEqual(list);
  }
  return Object.fromEntries(real.map(({ id, contacts, optedOut }) => [id, { contacts, optedOut }]));
}

async function deltaRows(): Promise<number> {
  const [{ rows }] = await harness.dataSource.query<Array<{ rows: number }>>(
    `SELECT count(*)::int AS rows FROM contact_list_count_deltas`,
  );
  return rows;
}

describe('list counts are maintained in the database', () => {
  it('an import into an empty list (COPY, then flagging phones already opted out) counts its contacts', async () => {
    await harness.optOuts.optOut(phone(3), 'manual');
    await importPhones(lists.a, [1, 2, 3, 4, 5]);
    const counts = await expectCountsMatch();
    expect(counts[lists.a]).toEqual({ contacts: 5, optedOut: 1 });
  });

  it('an import into a list with contacts (upsert in update and skip modes) counts new rows once', async () => {
    await harness.optOuts.optOut(phone(7), 'webhook');
    const updated = await importPhones(lists.a, [4, 5, 6, 7, 8], 'update');
    expect(updated).toMatchObject({ imported: 3, updated: 2 });
    expect((await expectCountsMatch())[lists.a]).toEqual({ contacts: 8, optedOut: 2 });

    await importPhones(lists.a, [8, 9], 'skip');
    await importPhones(lists.b, [1, 9, 10]);
    const counts = await expectCountsMatch();
    expect(counts[lists.a]).toEqual({ contacts: 9, optedOut: 2 });
    expect(counts[lists.b]).toEqual({ contacts: 3, optedOut: 0 });
  });

  it('a write that rolls back counts nothing', async () => {
    await expect(
      database.transaction(async (sql) => {
        await sql(`INSERT INTO contacts (list_id, phone) VALUES ($1, $2)`, [lists.c, phone(100)]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await expectCountsMatch())[lists.c]).toEqual({ contacts: 0, optedOut: 0 });
  });

  it('opting out flags (and opting in unflags) the phone in every list', async () => {
    await harness.optOuts.optOut(phone(9), 'manual');
    let counts = await expectCountsMatch();
    expect(counts[lists.a]).toEqual({ contacts: 9, optedOut: 3 });
    expect(counts[lists.b]).toEqual({ contacts: 3, optedOut: 1 });

    await harness.optOuts.optIn(phone(3));
    await harness.optOuts.optIn(phone(9));
    counts = await expectCountsMatch();
    expect(counts[lists.a]).toEqual({ contacts: 9, optedOut: 1 });
    expect(counts[lists.b]).toEqual({ contacts: 3, optedOut: 0 });
  });

  it('deleting contacts and moving them to another list', async () => {
    await harness.dataSource.query(`DELETE FROM contacts WHERE list_id = $1 AND phone = ANY($2)`, [
      lists.a,
      [phone(1), phone(7)],
    ]);
    await harness.dataSource.query(
      `UPDATE contacts SET list_id = $2, opted_out = true WHERE list_id = $1 AND phone = $3`,
      [lists.b, lists.c, phone(10)],
    );
    await harness.dataSource.query(`UPDATE contacts SET name = 'renamed' WHERE list_id = $1`, [lists.a]);
    const counts = await expectCountsMatch();
    expect(counts[lists.a]).toEqual({ contacts: 7, optedOut: 0 });
    expect(counts[lists.b]).toEqual({ contacts: 2, optedOut: 0 });
    expect(counts[lists.c]).toEqual({ contacts: 1, optedOut: 1 });
  });

  it('an open import transaction does not hold back an opt-out in the same list (no shared counter row)', async () => {
    const importing = new Client({ connectionString: harness.database.url });
    await importing.connect();
    try {
      await importing.query('BEGIN');
      await importing.query(`INSERT INTO contacts (list_id, phone) VALUES ($1, $2)`, [lists.a, phone(200)]);
      const optOut = harness.optOuts.optOut(phone(2), 'manual');
      const outcome = await Promise.race([
        optOut.then(() => 'done'),
        new Promise((resolve) => setTimeout(() => resolve('blocked'), 5_000)),
      ]);
      expect(outcome).toBe('done');
      expect((await expectCountsMatch())[lists.a]).toEqual({ contacts: 7, optedOut: 1 });
      await importing.query('COMMIT');
      expect((await expectCountsMatch())[lists.a]).toEqual({ contacts: 8, optedOut: 1 });
    } finally {
      await importing.end();
    }
  });

  it('two compactions at once fold the rows once, beside a writer that commits meanwhile', async () => {
    const [folded] = await harness.dataSource.query<Array<{ rows: number; lists: number }>>(
      `SELECT coalesce(sum(n), 0)::int AS rows, count(*)::int AS lists
       FROM (SELECT count(*) AS n FROM contact_list_count_deltas GROUP BY list_id HAVING count(*) > 1) many`,
    );
    expect(folded.rows).toBeGreaterThan(folded.lists);
    const writer = new Client({ connectionString: harness.database.url });
    await writer.connect();
    try {
      // A write not yet committed when the compactions start: its row is theirs to leave alone.
      await writer.query('BEGIN');
      await writer.query(`UPDATE contacts SET opted_out = true WHERE list_id = $1 AND phone = $2`, [
        lists.a,
        phone(4),
      ]);

      let second: Promise<{ removed: number; written: number }> | undefined;
      const first = await database.transaction(async (sql) => {
        const result = await store.compactCounts(sql);
        // The second compaction runs while the first is uncommitted: it waits on the rows the first deleted.
        second = store.compactCounts();
        await waitFor(
          () =>
            harness.dataSource.query<Array<{ waiting: number }>>(
              `SELECT count(*)::int AS waiting FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            ),
          ([{ waiting }]) => waiting === 1,
          5_000,
          20,
        );
        return result;
      });
      const other = await second!;
      expect(first).toEqual({ removed: folded.rows, written: folded.lists });
      expect(other).toEqual({ removed: 0, written: 0 });
      expect(await deltaRows()).toBe(3);
      let counts = await expectCountsMatch();
      expect(counts[lists.a]).toEqual({ contacts: 8, optedOut: 1 });

      await writer.query('COMMIT');
      counts = await expectCountsMatch();
      expect(counts[lists.a]).toEqual({ contacts: 8, optedOut: 2 });
      expect(await deltaRows()).toBe(4);
    } finally {
      await writer.end();
    }

    // Many rounds of writers and compactions together (each compaction on its own connection).
    await Promise.all([
      ...[11, 12, 13, 14, 15, 16].map((n) => importPhones(lists.c, [n])),
      ...[5, 6, 8].map((n) => harness.optOuts.optOut(phone(n), 'manual')),
      ...Array.from({ length: 6 }, () => store.compactCounts()),
    ]);
    await expectCountsMatch();
    await Promise.all([store.compactCounts(), store.compactCounts()]);
    expect(await deltaRows()).toBe(3);
    const counts = await expectCountsMatch();
    expect(counts[lists.c]).toEqual({ contacts: 7, optedOut: 1 });
  });

  it('deleting a list removes its contacts and its count rows; compaction drops rows of lists gone', async () => {
    await harness.lists.delete(lists.b);
    await expectCountsMatch();
    const [{ left }] = await harness.dataSource.query<Array<{ left: number }>>(
      `SELECT count(*)::int AS left FROM contact_list_count_deltas WHERE list_id = $1`,
      [lists.b],
    );
    expect(left).toBe(0);

    // A row whose list went away under it (a write that raced the deletion) is dropped by the next compaction.
    await harness.dataSource.query(
      `INSERT INTO contact_list_count_deltas (list_id, contacts, opted_out) VALUES ($1, 5, 1)`,
      [lists.b],
    );
    await expectCountsMatch();
    expect(await store.compactCounts()).toEqual({ removed: 1, written: 0 });
    expect(await deltaRows()).toBe(2);
  });

  it('the migration counts the contacts already there', async () => {
    const migration = new ListCountDeltas1764300000001();
    const runner = harness.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      await runner.query(
        `INSERT INTO contacts (list_id, phone, opted_out) SELECT $1, '7925' || n, n % 3 = 0 FROM generate_series(1, 50) n`,
        [lists.c],
      );
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const counts = await expectCountsMatch();
    expect(counts[lists.c]).toEqual({ contacts: 57, optedOut: 17 });
    expect(await deltaRows()).toBe(2);
  });

  it('truncating contacts zeroes every count', async () => {
    await harness.dataSource.query(`TRUNCATE contacts CASCADE`);
    const counts = await expectCountsMatch();
    expect(Object.values(counts)).toEqual([
      { contacts: 0, optedOut: 0 },
      { contacts: 0, optedOut: 0 },
    ]);
  });
});
