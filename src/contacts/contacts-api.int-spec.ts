import { parse as parseCsv } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../../test/support/test-app';
import { FIXTURES } from '../../test/support/contacts-harness';
import { waitFor } from '../../test/support/wait-for';

let app: TestApp;
beforeAll(async () => (app = await createTestApp({ env: { IMPORT_MAX_FILE_MB: '1' } })));
afterAll(() => app?.close());

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: { ...app.auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // Decoded by hand: Response.text() would drop the BOM that rejected.csv must start with.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
  return {
    status: response.status,
    body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}

// Response bodies are asserted field by field; their shapes are what is under test.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function upload(
  listId: string,
  file: { name: string; content: Buffer | string },
  fields: Record<string, string> = {},
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([file.content]), file.name);
  const response = await fetch(`${app.url}/api/lists/${listId}/imports`, {
    method: 'POST',
    headers: app.auth,
    body: form,
  });
  return { status: response.status, body: (await response.json()) as Json };
}

async function waitForImport(id: string) {
  const { body } = await waitFor(
    () => api('GET', `/api/imports/${id}`),
    ({ body }) => body.status === 'completed' || body.status === 'failed',
    30_000,
  );
  return body;
}

const fixture = (name: string) => ({ name, content: readFileSync(join(FIXTURES, name)) });

describe('lists REST', () => {
  it('creates, reads, renames and deletes a list', async () => {
    const created = await api('POST', '/api/lists', { name: '  Newsletter  ' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), name: 'Newsletter', contacts: 0 });
    const id = created.body.id;

    expect((await api('GET', '/api/lists')).body.map((list: { id: string }) => list.id)).toContain(id);
    expect((await api('GET', `/api/lists/${id}`)).body).toMatchObject({ id, name: 'Newsletter' });
    expect((await api('PATCH', `/api/lists/${id}`, { name: 'Weekly newsletter' })).body).toMatchObject({
      id,
      name: 'Weekly newsletter',
    });
    expect((await api('DELETE', `/api/lists/${id}`)).status).toBe(204);
    expect((await api('GET', `/api/lists/${id}`)).status).toBe(404);
  });

  it('refuses a second list with the same name in another case (409)', async () => {
    await api('POST', '/api/lists', { name: 'VIP' });
    const duplicate = await api('POST', '/api/lists', { name: 'vip' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.message).toMatch(/"vip" already exists/);
  });

  it('compares names in Unicode NFC and refuses control and invisible characters (400 naming the field)', async () => {
    const base = await api('POST', '/api/lists', { name: 'Base2' });
    expect(base.status).toBe(201);
    for (const invisible of ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u0007', '\u0085', '\t']) {
      for (const name of [`Base2${invisible}`, `${invisible}Base2`]) {
        const reply = await api('POST', '/api/lists', { name });
        expect({ name, status: reply.status }).toEqual({ name, status: 400 });
        expect(reply.body.message).toMatch(/^name: must not contain control or invisible characters \(U\+/);
      }
    }
    const renamed = await api('PATCH', `/api/lists/${base.body.id}`, { name: 'Base\u200b2' });
    expect(renamed.status).toBe(400);

    const composed = await api('POST', '/api/lists', { name: 'Caf\u00e9' });
    expect(composed.status).toBe(201);
    const decomposed = await api('POST', '/api/lists', { name: 'Cafe\u0301' });
    expect(decomposed.status).toBe(409);
    const lists = (await api('GET', '/api/lists')).body as Array<{ name: string }>;
    expect(lists.filter((list) => list.name.startsWith('Base2') || list.name.startsWith('Caf'))).toEqual([
      expect.objectContaining({ name: 'Base2' }),
      expect.objectContaining({ name: 'Café' }),
    ]);
  });

  it('answers 400 naming the field for bad input and 404 for unknown lists', async () => {
    const empty = await api('POST', '/api/lists', { name: '' });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body.message)).toMatch(/name/);
    const unknownField = await api('POST', '/api/lists', { name: 'x', color: 'red' });
    expect(unknownField.status).toBe(400);
    expect(JSON.stringify(unknownField.body.message)).toMatch(/color/);
    expect((await api('GET', '/api/lists/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await api('GET', '/api/lists/not-a-uuid/contacts')).status).toBe(404);
    expect((await api('GET', '/api/imports/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  it('requires the API key', async () => {
    expect((await fetch(`${app.url}/api/lists`)).status).toBe(401);
  });
});

describe('imports REST', () => {
  let listId: string;
  beforeAll(async () => (listId = (await api('POST', '/api/lists', { name: 'Imported' })).body.id));

  it('accepts a multipart upload (202), finishes in the background, pages and searches contacts, serves rejected.csv', async () => {
    const accepted = await upload(listId, fixture('excel-cp1251-semicolon.csv'), {
      defaultCountry: 'ru',
      mode: 'update',
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ id: expect.any(String), status: 'queued' });

    const job = await waitForImport(accepted.body.id);
    expect(job).toMatchObject({
      listId,
      status: 'completed',
      rows: 7,
      imported: 4,
      updated: 0,
      duplicates: 1,
      invalid: 2,
      error: null,
      defaultCountry: 'RU',
    });
    expect(job.startedAt).toEqual(expect.any(String));
    expect(job.finishedAt).toEqual(expect.any(String));

    const page = await api('GET', `/api/lists/${listId}/contacts?limit=2&offset=1`);
    expect(page.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.body.items.map((c: { phone: string }) => c.phone)).toEqual(['79167654321', '79161112233']);
    const byName = await api('GET', `/api/lists/${listId}/contacts?search=${encodeURIComponent('петрова')}`);
    expect(byName.body.items.map((c: { name: string }) => c.name)).toEqual(['Петрова Анна']);
    const byPhone = await api(
      'GET',
      `/api/lists/${listId}/contacts?search=${encodeURIComponent('+7 (495)')}`,
    );
    expect(
      byPhone.body.items.map((c: { phone: string; phoneType: string }) => [c.phone, c.phoneType]),
    ).toEqual([['74951234567', 'fixed_line']]);
    // One contact by hand (yourself, for a test), then changed and removed; the list's count follows.
    const added = await api('POST', `/api/lists/${listId}/contacts`, {
      phone: '8 (916) 555-00-11',
      name: 'Я сам',
      attributes: { Город: 'Москва' },
    });
    expect(added).toMatchObject({
      status: 201,
      body: { phone: '79165550011', name: 'Я сам', phoneType: 'mobile', country: 'RU', optedOut: false },
    });
    expect((await api('GET', `/api/lists/${listId}`)).body.contacts).toBe(5);
    const again = await api('POST', `/api/lists/${listId}/contacts`, { phone: '+7 916 555 00 11' });
    expect(again).toMatchObject({ status: 409, body: { error: 'contact_phone_taken' } });
    const wrong = await api('POST', `/api/lists/${listId}/contacts`, { phone: '12345' });
    expect(wrong).toMatchObject({ status: 400, body: { details: { field: 'phone' } } });
    const changed = await api('PATCH', `/api/lists/${listId}/contacts/${added.body.id}`, {
      name: 'Тест',
      attributes: { Город: 'Казань' },
    });
    expect(changed).toMatchObject({ status: 200, body: { name: 'Тест', attributes: { Город: 'Казань' } } });
    expect((await api('PATCH', `/api/lists/${listId}/contacts/not-a-contact`, { name: 'x' })).status).toBe(
      404,
    );
    expect((await api('DELETE', `/api/lists/${listId}/contacts/${added.body.id}`)).status).toBe(204);
    expect((await api('DELETE', `/api/lists/${listId}/contacts/${added.body.id}`)).status).toBe(404);
    expect((await api('GET', `/api/lists/${listId}`)).body.contacts).toBe(4);

    // However the number is written: the trunk prefix 8, brackets, dashes, +7.
    for (const written of ['89161234567', '8 (916) 123-45-67', '+7 916 123 45 67', '916 123-45-67']) {
      const found = await api('GET', `/api/lists/${listId}/contacts?search=${encodeURIComponent(written)}`);
      expect([written, found.body.items.map((c: { phone: string }) => c.phone)]).toEqual([
        written,
        ['79161234567'],
      ]);
    }
    expect((await api('GET', `/api/lists/${listId}/contacts?limit=0`)).status).toBe(400);
    expect((await api('GET', `/api/lists/${listId}`)).body.contacts).toBe(4);

    const rejected = await api('GET', `/api/imports/${job.id}/rejected.csv`);
    expect(rejected.status).toBe(200);
    expect(rejected.body).toBe(
      '\uFEFFline,kind,reason,ФИО,Телефон,Город,Номер заказа\n' +
        '5,duplicate,same phone as line 2,Дубль Иванова,79161234567,Москва,A-4\n' +
        '7,invalid,"phone ""12345"": not a valid RU number",Ошибка,12345,,A-6\n' +
        '9,invalid,no phone number in the row,Без телефона,,Тула,A-7\n',
    );
  });

  it('writes rejected.csv through the safe CSV writer: no cell a spreadsheet would run as a formula', async () => {
    const list = (await api('POST', '/api/lists', { name: 'Formula attempts' })).body.id;
    // Every row is rejected (no valid phone), so every hostile value comes back in rejected.csv.
    const hostile = [
      '=1+1',
      '@cmd',
      '+SUM(A1)',
      '-2+3',
      '\t=1+1',
      '\r=1+1',
      ' =1+1',
      '=HYPERLINK("http://x")',
    ];
    const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
    const file = [
      'phone,name,@note',
      ...hostile.map((value, index) => `${quote(value)},${quote(value)},n${index}`),
    ].join('\n');
    const accepted = await upload(list, { name: 'hostile.csv', content: `${file}\n` });
    expect(accepted.status).toBe(202);
    const job = await waitForImport(accepted.body.id);
    expect(job).toMatchObject({ status: 'completed', invalid: hostile.length });

    const rejected = await api('GET', `/api/imports/${job.id}/rejected.csv`);
    expect(rejected.body.startsWith('\uFEFF')).toBe(true);
    const rows: string[][] = parseCsv(rejected.body.slice(1));
    expect(rows[0]).toEqual(['line', 'kind', 'reason', 'phone', 'name', "'@note"]);
    expect(rows.slice(1).map((row) => [row[3], row[4]])).toEqual(
      hostile.map((value) => [`'${value}`, `'${value}`]),
    );
    // The reason quotes the raw phone: neutralized too wherever it starts the cell.
    for (const row of rows.slice(1)) expect(row[2]).not.toMatch(/^\s*[=+\-@]/);
  });

  it('rejects rows whose name or an attribute value is over the length limit, naming the column and the limit', async () => {
    const list = (await api('POST', '/api/lists', { name: 'Long values' })).body.id;
    const file = [
      'phone,name,city',
      `79161110001,${'N'.repeat(500)},${'c'.repeat(2000)}`, // at the limits: imported
      `79161110002,${'Н'.repeat(501)},Moscow`,
      `79161110003,Anna,${'c'.repeat(2001)}`,
      '79161110004,Boris,Tula',
    ].join('\n');
    const accepted = await upload(list, { name: 'long.csv', content: `${file}\n` }, { defaultCountry: 'RU' });
    const job = await waitForImport(accepted.body.id);
    expect(job).toMatchObject({ status: 'completed', rows: 4, imported: 2, invalid: 2 });
    const rejected = await api('GET', `/api/imports/${job.id}/rejected.csv`);
    const rows: string[][] = parseCsv(rejected.body.slice(1));
    expect(rows.slice(1).map(([line, kind, reason]) => [line, kind, reason])).toEqual([
      ['3', 'invalid', 'name ("name"): 501 characters, more than the 500 a name may have; shorten it'],
      ['4', 'invalid', 'column "city": 2001 characters, more than the 2000 a value may have; shorten it'],
    ]);
    const contacts = await api('GET', `/api/lists/${list}/contacts`);
    expect(contacts.body.items.map((contact: { phone: string }) => contact.phone)).toEqual([
      '79161110001',
      '79161110004',
    ]);
  });

  it('a malformed file is accepted as a job that fails with a clear error', async () => {
    const accepted = await upload(listId, fixture('no-phone-column.csv'));
    const job = await waitForImport(accepted.body.id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/No phone column found/);
  });

  it('answers 400 naming the field for bad import options, a missing file or unknown fields', async () => {
    const file = fixture('utf8-bom-crlf.csv');
    const country = await upload(listId, file, { defaultCountry: 'Russia' });
    expect(country.status).toBe(400);
    expect(country.body.message).toMatch(/^defaultCountry:/);
    const mode = await upload(listId, file, { mode: 'merge' });
    expect(mode.status).toBe(400);
    expect(mode.body.message).toMatch(/^mode:/);
    const unknown = await upload(listId, file, { delimiter: ';' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/^delimiter:/);

    const form = new FormData();
    form.append('mode', 'skip');
    const noFile = await fetch(`${app.url}/api/lists/${listId}/imports`, {
      method: 'POST',
      headers: app.auth,
      body: form,
    });
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as Json).message).toMatch(/^file:/);
  });

  it('answers 404 for an unknown list and 413 over the size limit', async () => {
    expect((await upload('00000000-0000-0000-0000-000000000000', fixture('utf8-bom-crlf.csv'))).status).toBe(
      404,
    );
    const big = `phone,name\n${'79161234567,Someone\n'.repeat(60_000)}`; // ~1.2 MB, limit is 1 MB here
    const tooLarge = await upload(listId, { name: 'big.csv', content: big });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.message).toMatch(/larger than the 1 MB limit/);
  });
});
