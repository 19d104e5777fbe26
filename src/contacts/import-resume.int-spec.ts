import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContactsHarness, ContactsHarness, FIXTURES } from '../../test/support/contacts-harness';

let harness: ContactsHarness;
beforeAll(async () => (harness = await createContactsHarness()));
afterAll(() => harness.close());

function storeUpload(source: string): string {
  const stored = join(harness.imports.importsDir, `${Math.random().toString(36).slice(2)}.upload`);
  copyFileSync(source, stored);
  return stored;
}

async function contactCount(listId: string): Promise<number> {
  return (await harness.contacts.browse(listId)).total;
}

describe('import jobs survive a restart', () => {
  it('a job left "running" by a dead process is run again from its file, counted once', async () => {
    const list = await harness.lists.create('left running');
    const job = await harness.imports.create({
      listId: list.id,
      filePath: storeUpload(join(FIXTURES, 'duplicates-and-invalid.csv')),
      originalName: 'c.csv',
      defaultCountry: 'RU',
    });
    // What a killed process leaves: status running, an attempt counted, progress, no committed rows.
    await harness.dataSource.query(
      `UPDATE contact_imports SET status = 'running', attempts = 1, started_at = now(), progress_rows = 5 WHERE id = $1`,
      [job.id],
    );

    const [resumed] = await harness.imports.resumeUnfinished();
    expect(resumed).toMatchObject({
      id: job.id,
      status: 'completed',
      rows: 8,
      imported: 4,
      updated: 0,
      duplicates: 2,
      invalid: 2,
      attempts: 2,
    });
    expect(await contactCount(list.id)).toBe(4);
    expect(existsSync(job.filePath)).toBe(false);

    // A second boot finds nothing to do and changes nothing.
    expect(await harness.imports.resumeUnfinished()).toEqual([]);
    expect(await harness.imports.run(job.id)).toMatchObject({ status: 'completed', rows: 8, imported: 4 });
    expect(await contactCount(list.id)).toBe(4);
  });

  it('an attempt interrupted mid-file (shutdown) rolls back entirely and the resumed run counts every row once', async () => {
    const list = await harness.lists.create('interrupted');
    const source = join(harness.config.dataDir, 'many.csv');
    const rows = 60_000;
    let csv = 'phone,name\n';
    for (let index = 0; index < rows; index++)
      csv += `7916${String(index).padStart(7, '0')},Contact ${index}\n`;
    writeFileSync(source, csv);
    const job = await harness.imports.create({
      listId: list.id,
      filePath: storeUpload(source),
      originalName: 'many.csv',
      defaultCountry: 'RU',
    });

    let stopped = false;
    const interrupted = await harness.imports.run(job.id, () => {
      if (stopped) return;
      stopped = true;
      void harness.imports.onModuleDestroy(); // what app.close() does on SIGTERM
    });
    expect(stopped).toBe(true);
    expect(interrupted.status).toBe('running');
    expect(await contactCount(list.id)).toBe(0);
    const rejections = await harness.dataSource.query(
      `SELECT count(*)::int AS n FROM contact_import_rejections WHERE import_id = $1`,
      [job.id],
    );
    expect(rejections[0].n).toBe(0);

    const [resumed] = await harness.imports.resumeUnfinished();
    expect(resumed).toMatchObject({
      status: 'completed',
      rows,
      imported: rows,
      duplicates: 0,
      invalid: 0,
      attempts: 2,
    });
    expect(await contactCount(list.id)).toBe(rows);
  });

  it('two processes resuming the same job at once import it once', async () => {
    const list = await harness.lists.create('raced');
    const job = await harness.imports.create({
      listId: list.id,
      filePath: storeUpload(join(FIXTURES, 'outlook.csv')),
      originalName: 'o.csv',
      defaultCountry: 'RU',
    });
    const second = await createSecondService();
    try {
      const [first, other] = await Promise.all([harness.imports.run(job.id), second.imports.run(job.id)]);
      expect([first.status, other.status].sort()).toEqual(expect.arrayContaining(['completed']));
      const final = await harness.imports.get(job.id);
      expect(final).toMatchObject({ status: 'completed', rows: 4, imported: 2, attempts: 1 });
      expect(await contactCount(list.id)).toBe(2);
    } finally {
      await second.module.close();
    }
  });
});

/** Another ImportService on the same database and data directory: a second app instance. */
async function createSecondService() {
  const { Test } = await import('@nestjs/testing');
  const { TypeOrmModule } = await import('@nestjs/typeorm');
  const { CoreModule } = await import('../common/core.module');
  const { buildTypeOrmOptions } = await import('../database/typeorm-options');
  const { ContactsModule } = await import('./contacts.module');
  const { ImportService } = await import('./import.service');
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
  return { module, imports: module.get(ImportService) };
}
