import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContactsHarness, ContactsHarness, FIXTURES } from '../../test/support/contacts-harness';
import type { ContactImport, ImportMode } from './import/import.types';

let harness: ContactsHarness;
beforeAll(async () => (harness = await createContactsHarness()));
afterAll(() => harness.close());

async function importFixture(
  file: string,
  options: {
    mode?: ImportMode;
    defaultCountry?: string | null;
    listName?: string;
    phoneColumn?: string;
  } = {},
) {
  const list = options.listName
    ? ((await harness.lists.findByIdOrName(options.listName)) ??
      (await harness.lists.create(options.listName)))
    : await harness.lists.create(`${file} ${Math.random()}`);
  const job = await harness.queueImport(list.id, join(FIXTURES, file), {
    defaultCountry: options.defaultCountry === undefined ? 'RU' : options.defaultCountry,
    mode: options.mode,
    phoneColumn: options.phoneColumn,
  });
  const done = await harness.imports.run(job.id);
  return { list, job: done };
}

async function storedUploads(): Promise<number> {
  const [{ count }] = await harness.dataSource.query(`SELECT count(*)::int AS count FROM import_uploads`);
  return count;
}

function counts(job: ContactImport) {
  const { status, rows, imported, updated, duplicates, invalid, error } = job;
  return { status, rows, imported, updated, duplicates, invalid, error };
}

async function contactsOf(listId: string) {
  return (await harness.contacts.browse(listId, { limit: 100 })).items;
}

async function rejected(importId: string) {
  const rows = [];
  for await (const row of harness.imports.rejectedRows(importId)) rows.push(row);
  return rows;
}

describe('import: real-world file shapes (exact counts)', () => {
  it('Excel cp1251 with ";": ФИО/Телефон headers, RU formats, landline flagged, blank row ignored', async () => {
    const { list, job } = await importFixture('excel-cp1251-semicolon.csv');
    expect(counts(job)).toEqual({
      status: 'completed',
      rows: 7,
      imported: 4,
      updated: 0,
      duplicates: 1,
      invalid: 2,
      error: null,
    });
    const contacts = await contactsOf(list.id);
    expect(contacts.map((c) => [c.phone, c.name, c.phoneType, c.country])).toEqual([
      ['79161234567', 'Иванов Иван', 'mobile', 'RU'],
      ['79167654321', 'Петрова Анна', 'mobile', 'RU'],
      ['79161112233', 'Сидоров Пётр', 'mobile', 'RU'],
      ['74951234567', 'Городской номер', 'fixed_line', 'RU'],
    ]);
    expect(contacts[0].attributes).toEqual({ Город: 'Москва', 'Номер заказа': 'A-1' });
    expect((await rejected(job.id)).map((r) => [r.line, r.kind, r.reason])).toEqual([
      [5, 'duplicate', 'same phone as line 2'],
      [7, 'invalid', 'phone "12345": not a valid RU number'],
      [9, 'invalid', 'no phone number in the row'],
    ]);
    expect(job.uploadId).toBeNull();
    expect(await storedUploads()).toBe(0); // the stored upload went with the finished job
  });

  it('Google Contacts export: name parts joined, "Phone 1 - Value" with ":::", falls back to Phone 2', async () => {
    const { list, job } = await importFixture('google-contacts.csv');
    expect(counts(job)).toEqual({
      status: 'completed',
      rows: 5,
      imported: 4,
      updated: 0,
      duplicates: 1,
      invalid: 0,
      error: null,
    });
    expect((await contactsOf(list.id)).map((c) => [c.phone, c.name])).toEqual([
      ['16502530000', 'John Smith'],
      ['79165551234', 'Мария Петровна Иванова'],
      ['79260001122', 'Alex'],
      ['447400123456', '🎉 Party Bot'],
    ]);
  });

  it('Outlook export: Mobile Phone preferred, Business Phone used when it is the only one, multi-line notes kept', async () => {
    const { list, job } = await importFixture('outlook.csv');
    expect(counts(job)).toEqual({
      status: 'completed',
      rows: 4,
      imported: 2,
      updated: 0,
      duplicates: 1,
      invalid: 1,
      error: null,
    });
    const [olga, boris] = await contactsOf(list.id);
    expect([olga.phone, olga.name, olga.phoneType]).toEqual(['79031112233', 'Olga Smirnova', 'mobile']);
    expect([boris.phone, boris.phoneType]).toEqual(['74959876543', 'fixed_line']);
    expect(boris.attributes.Notes).toBe('Call after 10:00\r\nsecond line of the note');
    expect((await rejected(job.id)).map((r) => r.line)).toEqual([5, 6]);
  });

  it('UTF-8 with BOM and CRLF: quoted multi-line name, emoji and Cyrillic, line numbers count the embedded break', async () => {
    const { list, job } = await importFixture('utf8-bom-crlf.csv');
    expect(counts(job)).toEqual({
      status: 'completed',
      rows: 6,
      imported: 4,
      updated: 0,
      duplicates: 0,
      invalid: 2,
      error: null,
    });
    expect((await contactsOf(list.id)).map((c) => [c.phone, c.name])).toEqual([
      ['79161234567', 'Анна 🌸'],
      ['79162345678', 'Ivanov, Ivan'],
      ['79163456789', 'Многострочное имя'],
      ['79164567890', 'Ёжик 🦔'],
    ]);
    const rows = await rejected(job.id);
    expect(rows.map((r) => [r.line, r.originalValues])).toEqual([
      [7, ['abc', 'Bad Phone', 'Nowhere']],
      [8, ['+7 916 123', 'Too Short', 'Nowhere']],
    ]);
  });

  it('Excel "Unicode Text" (UTF-16LE, tab): Имя + Фамилия make the name', async () => {
    const { list, job } = await importFixture('excel-unicode-text.txt');
    expect(counts(job)).toEqual({
      status: 'completed',
      rows: 3,
      imported: 2,
      updated: 0,
      duplicates: 0,
      invalid: 1,
      error: null,
    });
    expect((await contactsOf(list.id)).map((c) => [c.phone, c.name, c.attributes.Сегмент])).toEqual([
      ['79160000001', 'Иван Иванов', 'VIP'],
      ['79160000002', 'Пётр', undefined],
    ]);
  });

  it('Windows-1251 found after the first 64 KB of ASCII (the whole file is checked, not a sample)', async () => {
    const { list, job } = await importFixture('cp1251-late-cyrillic.csv');
    expect(counts(job)).toEqual({
      status: 'completed',
      rows: 2501,
      imported: 2501,
      updated: 0,
      duplicates: 0,
      invalid: 0,
      error: null,
    });
    const [last] = (await harness.contacts.browse(list.id, { search: '79169999999' })).items;
    expect([last.name, last.attributes]).toEqual(['Пётр Иванов', { city: 'Москва' }]);
  });

  it('without a default country, national numbers are rejected with the reason', async () => {
    const { job } = await importFixture('utf8-bom-crlf.csv', { defaultCountry: null });
    expect(counts(job)).toMatchObject({ status: 'completed', rows: 6, imported: 1, invalid: 5 });
  });
});

describe('import: duplicates within the file and against the list', () => {
  it('first import dedupes the file; update mode merges attributes; skip mode counts the list as duplicates', async () => {
    const listName = 'dedupe';
    const first = await importFixture('duplicates-and-invalid.csv', { listName });
    expect(counts(first.job)).toEqual({
      status: 'completed',
      rows: 8,
      imported: 4,
      updated: 0,
      duplicates: 2,
      invalid: 2,
      error: null,
    });

    await harness.dataSource.query(
      `UPDATE contacts SET attributes = attributes || '{"crm_id": "7"}' WHERE phone = '79160000010'`,
    );
    const update = await importFixture('duplicates-and-invalid.csv', { listName, mode: 'update' });
    expect(counts(update.job)).toEqual({
      status: 'completed',
      rows: 8,
      imported: 0,
      updated: 4,
      duplicates: 2,
      invalid: 2,
      error: null,
    });
    const [first10] = (await harness.contacts.browse(first.list.id, { search: '79160000010' })).items;
    expect(first10.attributes).toEqual({ tier: 'gold', crm_id: '7' });

    const skip = await importFixture('duplicates-and-invalid.csv', { listName, mode: 'skip' });
    expect(counts(skip.job)).toEqual({
      status: 'completed',
      rows: 8,
      imported: 0,
      updated: 0,
      duplicates: 6,
      invalid: 2,
      error: null,
    });
    const skipped = await rejected(skip.job.id);
    expect(skipped.filter((r) => r.reason === 'already in the list (mode skip)').map((r) => r.line)).toEqual([
      2, 3, 5, 9,
    ]);
    expect((await harness.contacts.browse(first.list.id)).total).toBe(4);
  });

  it('contacts whose phone is in the opt-out register arrive opted out', async () => {
    await harness.optOuts.optOut('+79160000012', 'manual', 'asked by phone');
    const { list } = await importFixture('duplicates-and-invalid.csv');
    const optedOut = (await contactsOf(list.id)).filter((c) => c.optedOut).map((c) => c.phone);
    expect(optedOut).toEqual(['79160000012']);
  });
});

describe('import: malformed files end the job with a clear error and import nothing', () => {
  const cases: Array<[string, RegExp]> = [
    ['empty.csv', /empty \(0 bytes\)/],
    ['header-only.csv', /header row but no contacts/],
    ['no-phone-column.csv', /No phone column found among the headers: "email", "name".*phoneColumn/],
    ['unterminated-quote.csv', /row starting at line 3 opens a quoted value/],
    ['binary.csv', /not text: it holds binary data/],
    ['workbook.csv', /Excel workbook \(\.xlsx\).*save it as "CSV UTF-8/],
    ['contacts.pdf', /"contacts\.pdf" is not a CSV file \(\.pdf\)/],
  ];
  it.each(cases)('%s', async (file, message) => {
    const { list, job } = await importFixture(file);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(message);
    expect((await harness.contacts.browse(list.id)).total).toBe(0);
  });

  it('a 10 MB line names the line and leaves the list untouched', async () => {
    const file = join(harness.config.dataDir, 'long-line.csv');
    writeFileSync(
      file,
      `phone,name\n79161234567,Anna\n79161234568,${'x'.repeat(10 * 1024 * 1024)}\n79161234569,Clara\n`,
    );
    const list = await harness.lists.create('long line');
    const job = await harness.imports.run((await harness.queueImport(list.id, file)).id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/row starting at line 3 is longer than 1 MB/);
    expect((await harness.contacts.browse(list.id)).total).toBe(0);
    expect(await storedUploads()).toBe(0); // a failed job's upload is deleted too
  });

  it('an explicit phoneColumn that is not in the file is named in the error', async () => {
    const { job } = await importFixture('utf8-bom-crlf.csv', { phoneColumn: 'Mobile' });
    expect(job.error).toMatch(
      /phoneColumn "Mobile" is not a column of the file; its headers are: "phone", "name", "city"/,
    );
  });
});
