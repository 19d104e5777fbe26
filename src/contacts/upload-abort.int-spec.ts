import { request as httpRequest } from 'node:http';
import { createContactList } from '../../test/support/campaign.factory';
import { createTestApp, TestApp } from '../../test/support/test-app';
import { waitFor } from '../../test/support/wait-for';

/**
 * A browser tab closed mid-upload: the request breaks off after part of the file has already been
 * stored in PostgreSQL. Nothing of it may stay behind (`import_uploads` with its chunks), and no job.
 */
describe('an upload aborted mid-body', () => {
  let testApp: TestApp;
  let listId: string;

  beforeAll(async () => {
    testApp = await createTestApp();
    listId = await createContactList(testApp.database.dataSource, []);
  });

  afterAll(() => testApp?.close());

  const count = async (table: string): Promise<number> => {
    const [row] = await testApp.database.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`);
    return row.n;
  };

  it.each([
    ['after three 1 MB chunks were stored', 150_000, 2],
    ['before the first chunk was stored', 5_000, 0],
  ])('%s: leaves no import_uploads row, no chunk and no job', async (_when, rowCount, storedChunks) => {
    const boundary = 'abort-test-boundary';
    const head =
      `--${boundary}\r\n` +
      'Content-Disposition: form-data; name="file"; filename="big.csv"\r\n' +
      'Content-Type: text/csv\r\n\r\n' +
      'phone,name\r\n';
    const rows = '79161234567,Someone\r\n'.repeat(rowCount); // 21 bytes a row
    const request = httpRequest(`${testApp.url}/api/lists/${listId}/imports`, {
      method: 'POST',
      headers: {
        ...testApp.auth,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        // The whole file would be 20 MB: the server keeps reading, then the client goes away.
        'content-length': String(20 * 1024 * 1024),
      },
    });
    const ended = new Promise<void>((resolve) => {
      request.on('error', () => resolve());
      request.on('close', () => resolve());
    });
    request.write(head);
    request.write(rows);

    // Part of the file is in the database: the upload exists (with chunks, in the first case).
    await waitFor(
      async () => ({ uploads: await count('import_uploads'), chunks: await count('import_upload_chunks') }),
      (stored) => stored.uploads === 1 && stored.chunks >= storedChunks,
      30_000,
    );
    request.destroy();
    await ended;

    await waitFor(
      async () => ({ uploads: await count('import_uploads'), chunks: await count('import_upload_chunks') }),
      (left) => left.uploads === 0 && left.chunks === 0,
      10_000,
    );
    expect(await count('contact_imports')).toBe(0);
    // The app still answers: nothing hangs on the broken request.
    expect((await fetch(`${testApp.url}/api/lists/${listId}`, { headers: testApp.auth })).status).toBe(200);
  });
});
