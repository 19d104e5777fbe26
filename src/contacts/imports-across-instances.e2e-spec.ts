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
  });

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
  });
});

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
