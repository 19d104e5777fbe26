import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { PostgresProcess, startPostgresProcess } from '../../test/support/postgres-process';
import { waitFor } from '../../test/support/wait-for';
import { createApp } from '../app.factory';
import { loadAppConfig } from '../config/app-config';
import { findFreePort } from '../database/embedded-postgres';
import { revertMigrations, runMigrations } from '../database/migrations';
import { RunningSandbox, startSandboxServer } from '../sandbox/sandbox-server';

/** A PostgreSQL of its own, so the test can take it away and bring it back. */
describe('/health/ready follows the database', () => {
  let dataDir: string;
  let port: number;
  let postgres: PostgresProcess;
  let sandbox: RunningSandbox;
  let app: INestApplication;
  let url: string;
  let databaseUrl: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'c2d-ready-'));
    port = await findFreePort();
    postgres = await startPostgresProcess(dataDir, port);
    databaseUrl = postgres.urlFor('app');
    await runMigrations(databaseUrl);
    sandbox = await startSandboxServer({ port: 0 });
    const config = loadAppConfig({
      LOG_LEVEL: 'silent',
      SCHEDULER_ENABLED: 'false',
      API_KEY: 'readiness-test-key',
      DATABASE_URL: databaseUrl,
      CHAT2DESK_API_URL: sandbox.url,
      CHAT2DESK_TOKEN: sandbox.token,
    });
    app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const readyStatus = async () => (await fetch(`${url}/health/ready`)).status;

  it('answers 503 within 5 s of the database going away and 200 again once it is back, without a restart', async () => {
    expect(await readyStatus()).toBe(200);
    expect(await (await fetch(`${url}/health/live`)).json()).toEqual({ status: 'live' });

    await postgres.stop();
    const wentAwayAt = Date.now();
    await waitFor(readyStatus, (status) => status === 503, 5_000, 100);
    expect(Date.now() - wentAwayAt).toBeLessThanOrEqual(5_000);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);

    postgres = await startPostgresProcess(dataDir, port);
    await waitFor(readyStatus, (status) => status === 200, 30_000, 200);
  });

  it('answers 503 naming the migrations the database still lacks', async () => {
    const applied = await runMigrations(databaseUrl);
    expect(applied).toEqual([]);
    await revertMigrations(databaseUrl, 1);

    const response = await fetch(`${url}/health/ready`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { pendingMigrations: string[] };
    expect(body.pendingMigrations).toHaveLength(1);

    await runMigrations(databaseUrl);
    expect(await readyStatus()).toBe(200);
  });
});
