import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AppInstance, spawnAppInstance } from '../../test/support/app-instance';
import { createEmptyDatabase } from '../../test/support/test-database';
import { waitFor } from '../../test/support/wait-for';
import { RunningSandbox, startSandboxServer } from '../sandbox/sandbox-server';

const API_KEY = 'instances-test-key';
/** Every committed migration, as the instances find them. */
const MIGRATION_FILES = readdirSync(join(__dirname, '..', '..', 'migrations')).filter((file) =>
  file.endsWith('.ts'),
).length;

/**
 * Several app instances as real processes on one PostgreSQL (issue: instances behind a balancer):
 * they start together on an empty database, and an import started on one finishes on another when
 * the first is killed.
 */
describe('imports across instances (real processes, one database)', () => {
  let database: { url: string; drop(): Promise<void> };
  let sandbox: RunningSandbox;
  let dataDir: string;
  const instances: AppInstance[] = [];
  let urls: string[];

  beforeAll(async () => {
    database = await createEmptyDatabase();
    sandbox = await startSandboxServer({ port: 0 });
    dataDir = mkdtempSync(join(tmpdir(), 'c2d-instances-'));
    // Started at the same moment on the empty database: each runs the migrations at boot.
    for (const name of ['a', 'b', 'c']) instances.push(spawnAppInstance(envFor(name)));
    urls = await Promise.all(instances.map((instance) => instance.ready));
  }, 180_000); // three ts-node processes booting at once on a busy machine

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.kill()));
    await sandbox?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function envFor(name: string): Record<string, string> {
    return {
      DATABASE_URL: database.url,
      CHAT2DESK_API_URL: sandbox.url,
      CHAT2DESK_TOKEN: sandbox.token,
      API_KEY,
      DATA_DIR: join(dataDir, name),
      SCHEDULER_ENABLED: 'true',
      IMPORT_LEASE_SECONDS: '3',
      IMPORT_POLL_INTERVAL_MS: '200',
    };
  }

  const api = (url: string, path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { Authorization: `Bearer ${API_KEY}`, ...init.headers } });

  it('three instances started together on an empty database all come up, each migration applied once', async () => {
    const statuses = await Promise.all(urls.map(async (url) => (await fetch(`${url}/health/ready`)).status));
    expect(statuses).toEqual([200, 200, 200]);
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('SELECT name FROM typeorm_migrations');
      expect(rows).toHaveLength(MIGRATION_FILES);
      expect(new Set(rows.map((row) => row.name)).size).toBe(MIGRATION_FILES);
    } finally {
      await client.end();
    }
  });

  it('a 300k-row import on an instance killed with -9 is finished by another, with exact counts seen alike by every instance', async () => {
    const [a] = urls;
    const list = await (
      await api(a, '/api/lists', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'killed mid-import' }),
      })
    ).json();
    const { csv, expected } = bigCsv(300_000);
    const form = new FormData();
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'big.csv');
    form.set('defaultCountry', 'RU');
    const upload = await api(a, `/api/lists/${list.id}/imports`, { method: 'POST', body: form });
    expect(upload.status).toBe(202);
    const { id } = await upload.json();

    const importOn = async (url: string) => (await api(url, `/api/imports/${id}`)).json();
    await waitFor(
      () => importOn(a),
      (job) => job.status === 'running' && job.progress.rows > 0,
      60_000,
      50,
    );
    await instances[0].kill();

    const done = await waitFor(
      () => importOn(urls[1]),
      (job) => job.status === 'completed' || job.status === 'failed',
      120_000,
      200,
    );
    expect(done).toMatchObject({ status: 'completed', ...expected });
    expect(await importOn(urls[2])).toEqual(done);
    const lists = await (await api(urls[2], '/api/lists')).json();
    expect(lists.find((entry: { id: string }) => entry.id === list.id)).toMatchObject({
      contacts: expected.imported,
    });
  }, 240_000);

  it('50 uploads at once into one list and 50 into 50 lists all complete with exact counts while /health keeps answering', async () => {
    const live = urls.slice(1);
    const rowsPerFile = 1_000;
    const shared = await createList(live[0], 'fifty uploads');
    const own = await Promise.all(
      Array.from({ length: 50 }, (_, index) => createList(live[index % 2], `own ${index}`)),
    );
    const health = watchHealth(live);
    try {
      // Spread over the two instances as a balancer would; all sent at once.
      const uploads = await Promise.all([
        ...Array.from({ length: 50 }, (_, index) =>
          uploadCsv(live[index % 2], shared, smallCsv(index * rowsPerFile, rowsPerFile)),
        ),
        ...own.map((listId, index) =>
          uploadCsv(live[(index + 1) % 2], listId, smallCsv(index * rowsPerFile, rowsPerFile)),
        ),
      ]);
      const finished = await waitFor(
        () => Promise.all(uploads.map(async (id) => (await api(live[0], `/api/imports/${id}`)).json())),
        (jobs) => jobs.every((job) => job.status === 'completed' || job.status === 'failed'),
        300_000,
        500,
      );
      expect(
        finished.map((job) => [job.status, job.rows, job.imported, job.duplicates, job.invalid]),
      ).toEqual(uploads.map(() => ['completed', rowsPerFile, rowsPerFile, 0, 0]));
      const lists: Array<{ id: string; contacts: number }> = await (await api(live[1], '/api/lists')).json();
      const contactsOf = new Map(lists.map((list) => [list.id, list.contacts]));
      expect(contactsOf.get(shared)).toBe(50 * rowsPerFile);
      expect(own.map((listId) => contactsOf.get(listId))).toEqual(own.map(() => rowsPerFile));
    } finally {
      await health.stop();
    }
    expect(health.failures()).toEqual([]);
    expect(health.answered()).toBeGreaterThan(0);
  }, 360_000);

  it('SIGTERM while imports run ends the process, and another instance finishes its jobs', async () => {
    const [, b, c] = urls;
    const ids = await Promise.all(
      Array.from({ length: 6 }, async (_, index) => {
        const listId = await createList(c, `stopped ${index}`);
        return uploadCsv(c, listId, smallCsv(0, 50_000));
      }),
    );
    await waitFor(
      () => Promise.all(ids.map(async (id) => (await api(c, `/api/imports/${id}`)).json())),
      (jobs) => jobs.some((job) => job.status === 'running'),
      60_000,
      50,
    );
    const stopping = instances[2].stop();
    await waitFor(
      () => instances[2].child.exitCode,
      (code) => code !== null,
      30_000,
    );
    await stopping;
    const finished = await waitFor(
      () => Promise.all(ids.map(async (id) => (await api(b, `/api/imports/${id}`)).json())),
      (jobs) => jobs.every((job) => job.status === 'completed'),
      180_000,
      500,
    );
    expect(finished.map((job) => job.imported)).toEqual(ids.map(() => 50_000));
  }, 300_000);

  async function createList(url: string, name: string): Promise<string> {
    const response = await api(url, '/api/lists', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }

  async function uploadCsv(url: string, listId: string, csv: string): Promise<string> {
    const form = new FormData();
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'contacts.csv');
    form.set('defaultCountry', 'RU');
    const response = await api(url, `/api/lists/${listId}/imports`, { method: 'POST', body: form });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  }
});

/**
 * Polls /health on each instance until stopped; a poll that is not a 200 within 10 s (the hang the
 * issue measured: every call timing out) is a failure.
 */
function watchHealth(urls: string[]) {
  const failures: string[] = [];
  let answered = 0;
  let running = true;
  const loops = urls.map(async (url) => {
    while (running) {
      const started = Date.now();
      try {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
        if (response.status === 200) answered++;
        else failures.push(`${url}: ${response.status}`);
      } catch (error) {
        failures.push(`${url}: ${String(error)} after ${Date.now() - started} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
  return {
    failures: () => failures,
    answered: () => answered,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** A small file of `rows` unique phones starting at `first`: every row is imported into an empty list. */
function smallCsv(first: number, rows: number): string {
  let csv = 'phone,name\n';
  for (let index = first; index < first + rows; index++)
    csv += `7917${String(index).padStart(7, '0')},C${index}\n`;
  return csv;
}

/** Unique phones, then repeats of the first ones and rows without a usable phone: known counts. */
function bigCsv(rows: number): {
  csv: string;
  expected: { rows: number; imported: number; updated: number; duplicates: number; invalid: number };
} {
  const duplicates = 500;
  const invalid = 500;
  const unique = rows - duplicates - invalid;
  const lines = ['phone,name'];
  for (let index = 0; index < unique; index++)
    lines.push(`7916${String(index).padStart(7, '0')},Contact ${index}`);
  for (let index = 0; index < duplicates; index++)
    lines.push(`+7 916 ${String(index).padStart(7, '0')},Again ${index}`);
  for (let index = 0; index < invalid; index++) lines.push(`12${index},Broken ${index}`);
  return {
    csv: `${lines.join('\n')}\n`,
    expected: { rows, imported: unique, updated: 0, duplicates, invalid },
  };
}
