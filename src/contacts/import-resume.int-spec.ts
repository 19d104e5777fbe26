import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContactsHarness, ContactsHarness, FIXTURES } from '../../test/support/contacts-harness';

let harness: ContactsHarness;
beforeAll(async () => (harness = await createContactsHarness()));
afterAll(() => harness.close());

async function contactCount(listId: string): Promise<number> {
  return (await harness.contacts.browse(listId)).total;
}

async function storedUploads(): Promise<number> {
  const [{ count }] = await harness.dataSource.query(`SELECT count(*)::int AS count FROM import_uploads`);
  return count;
}

/** What a process killed mid-import leaves: `running`, an attempt counted, progress, its lease, no committed rows. */
async function leaveRunning(jobId: string, leaseExpired: boolean): Promise<void> {
  await harness.dataSource.query(
    `UPDATE contact_imports SET status = 'running', attempts = 1, started_at = now(), progress_rows = 5,
       lease_owner = $2, lease_expires_at = now() + $3 * interval '1 second'
     WHERE id = $1`,
    [jobId, randomUUID(), leaseExpired ? -1 : 60],
  );
}

function writeCsv(name: string, rows: number, firstPhone = 0): string {
  const path = join(harness.config.dataDir, name);
  let csv = 'phone,name\n';
  for (let index = firstPhone; index < firstPhone + rows; index++)
    csv += `7916${String(index).padStart(7, '0')},Contact ${index}\n`;
  writeFileSync(path, csv);
  return path;
}

describe('import jobs are claimed under a lease', () => {
  it('a job whose holder died is resumed once its lease lapses, counted once, and its upload deleted', async () => {
    const list = await harness.lists.create('left running');
    const job = await harness.queueImport(list.id, join(FIXTURES, 'duplicates-and-invalid.csv'));
    await leaveRunning(job.id, false);

    // The holder's lease is still valid: nobody else may take the job.
    expect(await harness.runner.claimAvailable()).toBe(0);
    expect((await harness.imports.get(job.id)).status).toBe('running');

    await harness.dataSource.query(
      `UPDATE contact_imports SET lease_expires_at = now() - interval '1 second' WHERE id = $1`,
      [job.id],
    );
    expect(await harness.runner.claimAvailable()).toBe(1);
    const resumed = await harness.imports.run(job.id);
    expect(resumed).toMatchObject({
      id: job.id,
      status: 'completed',
      rows: 8,
      imported: 4,
      updated: 0,
      duplicates: 2,
      invalid: 2,
      attempts: 2,
      uploadId: null,
    });
    expect(resumed.finishedAt!.getTime()).toBeGreaterThanOrEqual(resumed.startedAt!.getTime());
    expect(await contactCount(list.id)).toBe(4);
    expect(await storedUploads()).toBe(0);

    // Nothing is left to claim, and running it again changes nothing.
    expect(await harness.runner.claimAvailable()).toBe(0);
    expect(await harness.imports.run(job.id)).toMatchObject({ status: 'completed', rows: 8, attempts: 2 });
    expect(await contactCount(list.id)).toBe(4);
  });

  it('an attempt interrupted by shutdown rolls back entirely, goes back to the queue, and another instance finishes it', async () => {
    const list = await harness.lists.create('interrupted');
    const rows = 60_000;
    const job = await harness.queueImport(list.id, writeCsv('many.csv', rows));
    const second = await createSecondInstance();
    try {
      let stopped = false;
      const interrupted = await second.imports.run(job.id, () => {
        if (stopped) return;
        stopped = true;
        void second.runner.onModuleDestroy(); // what app.close() does on SIGTERM
      });
      expect(stopped).toBe(true);
      expect(interrupted).toMatchObject({ status: 'queued', attempts: 1 });
      expect(await contactCount(list.id)).toBe(0);
      const [{ n }] = await harness.dataSource.query(
        `SELECT count(*)::int AS n FROM contact_import_rejections WHERE import_id = $1`,
        [job.id],
      );
      expect(n).toBe(0);

      expect(await harness.runner.claimAvailable()).toBe(1);
      expect(await harness.imports.run(job.id)).toMatchObject({
        status: 'completed',
        rows,
        imported: rows,
        duplicates: 0,
        invalid: 0,
        attempts: 2,
      });
      expect(await contactCount(list.id)).toBe(rows);
    } finally {
      await second.close();
    }
  });

  it('two instances running the same job at once import it once', async () => {
    const list = await harness.lists.create('raced');
    const job = await harness.queueImport(list.id, join(FIXTURES, 'outlook.csv'));
    const second = await createSecondInstance();
    try {
      const [first, other] = await Promise.all([harness.imports.run(job.id), second.imports.run(job.id)]);
      expect(first).toMatchObject({ status: 'completed', rows: 4, imported: 2, attempts: 1 });
      expect(other).toMatchObject({ status: 'completed', rows: 4, imported: 2, attempts: 1 });
      expect(await contactCount(list.id)).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('an attempt that lost its lease commits nothing; the job is then run again and counted once', async () => {
    const list = await harness.lists.create('taken over');
    const rows = 30_000;
    const job = await harness.queueImport(list.id, writeCsv('taken.csv', rows));
    let takenOver = false;
    const result = await harness.imports.run(job.id, () => {
      if (takenOver) return;
      takenOver = true;
      // Another owner holds the job now, under a lease that has lapsed again: run() takes it back.
      void harness.dataSource.query(
        `UPDATE contact_imports SET lease_owner = $2, lease_expires_at = now() - interval '1 second' WHERE id = $1`,
        [job.id, randomUUID()],
      );
    });
    expect(takenOver).toBe(true);
    // Had the first attempt committed, the second would have found the phones already in the list.
    expect(result).toMatchObject({ status: 'completed', rows, imported: rows, updated: 0, attempts: 2 });
    expect(await contactCount(list.id)).toBe(rows);
  });
});

describe('stored uploads', () => {
  it('deletes only uploads no job refers to and nothing was written to lately', async () => {
    const { Readable } = await import('node:stream');
    const store = async (text: string) => harness.imports.storeUpload(Readable.from([Buffer.from(text)]));
    const [abandoned, stillArriving, queued] = [
      await store('a'),
      await store('b'),
      await store('phone\n+79160000001\n'),
    ];
    const list = await harness.lists.create('upload owner');
    const job = await harness.imports.create({ listId: list.id, upload: queued, originalName: 'q.csv' });
    // All three began long ago; only the second received a chunk just now (a slow upload still arriving).
    await harness.dataSource.query(`UPDATE import_uploads SET created_at = now() - interval '1 hour'`);
    await harness.dataSource.query(
      `UPDATE import_upload_chunks SET created_at = now() - interval '1 hour' WHERE upload_id <> $1`,
      [stillArriving.id],
    );

    expect(await harness.runner.deleteAbandonedUploads()).toBe(1);
    const left = await harness.dataSource.query(`SELECT id FROM import_uploads`);
    expect(left.map((row: { id: string }) => row.id).sort()).toEqual([stillArriving.id, queued.id].sort());
    expect(left.map((row: { id: string }) => row.id)).not.toContain(abandoned.id);
    // Leave nothing queued for the next tests.
    expect(await harness.imports.run(job.id)).toMatchObject({ status: 'completed', imported: 1 });
  });
});

describe('import queue', () => {
  it('runs at most IMPORT_CONCURRENCY jobs per instance and one job per list; the rest wait queued', async () => {
    const [a, b, c] = await Promise.all(
      ['queue A', 'queue B', 'queue C'].map((name) => harness.lists.create(name)),
    );
    const file = writeCsv('queue.csv', 20_000, 100_000);
    const jobs = [
      await harness.queueImport(a.id, file),
      await harness.queueImport(a.id, file, { mode: 'skip' }),
      await harness.queueImport(b.id, file),
      await harness.queueImport(c.id, file),
    ];
    expect(harness.config.imports.concurrency).toBe(2);

    // Two slots: the first job of list A and the job of list B; A's second job waits for A's first.
    expect(await harness.runner.claimAvailable()).toBe(2);
    const statuses = async () =>
      Promise.all(jobs.map(async (job) => (await harness.imports.get(job.id)).status));
    expect(await statuses()).toEqual(['running', 'queued', 'running', 'queued']);

    await Promise.all([harness.imports.run(jobs[0].id), harness.imports.run(jobs[2].id)]);
    expect(await harness.runner.claimAvailable()).toBe(2);
    const finished = await Promise.all(jobs.map((job) => harness.imports.run(job.id)));
    expect(finished.map((job) => [job.status, job.imported, job.duplicates])).toEqual([
      ['completed', 20_000, 0],
      ['completed', 0, 20_000],
      ['completed', 20_000, 0],
      ['completed', 20_000, 0],
    ]);
  });
});

/** Another app instance on the same database: its own ContactsModule, runner and lease identity. */
async function createSecondInstance() {
  const { Test } = await import('@nestjs/testing');
  const { TypeOrmModule } = await import('@nestjs/typeorm');
  const { CoreModule } = await import('../common/core.module');
  const { buildTypeOrmOptions } = await import('../database/typeorm-options');
  const { ContactsModule } = await import('./contacts.module');
  const { ImportService } = await import('./import.service');
  const { ImportRunner } = await import('./import/import-runner');
  const module = await Test.createTestingModule({
    imports: [
      CoreModule.forRoot(harness.config),
      TypeOrmModule.forRoot(buildTypeOrmOptions(harness.database.url)),
      ContactsModule,
    ],
  })
    .setLogger(false as never)
    .compile();
  await module.init();
  return {
    imports: module.get(ImportService),
    runner: module.get(ImportRunner),
    close: () => module.close(),
  };
}
