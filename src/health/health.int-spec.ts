import { waitFor } from '../../test/support/wait-for';
import { Logger } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../app.factory';
import { loadAppConfig } from '../config/app-config';
import { startSandboxServer } from '../sandbox/sandbox-server';
import { createTestApp, TEST_API_KEY } from '../../test/support/test-app';
import { createTestDatabase } from '../../test/support/test-database';

describe('GET /health', () => {
  it('is ok with the database, an accepted token and the quota; degraded (not dead) once Chat2Desk is unreachable', async () => {
    const testApp = await createTestApp({ sandbox: { mode: 'demo' } });
    try {
      const healthy = await request(testApp.url).get('/health').expect(200);
      expect(healthy.body).toEqual({
        status: 'ok',
        database: { ok: true },
        chat2desk: { ok: true, state: 'ok' },
        quota: { limit: 1000, used: 1, remaining: 949, mode: 'demo' },
      });
      // Health itself spends no quota: only the boot check's api_info reached the sandbox.
      await request(testApp.url).get('/health').expect(200);
      expect(testApp.sandbox.ledger().requestsTotal).toBe(1);

      await testApp.sandbox.close();
      // The reachability probe is cached for a second.
      const degraded = await waitFor(
        () => request(testApp.url).get('/health').expect(200),
        (response) => response.body.status === 'degraded',
        10_000,
      );
      expect(degraded.body).toMatchObject({
        status: 'degraded',
        database: { ok: true },
        chat2desk: { ok: false, state: 'unreachable', error: expect.stringContaining('cannot connect') },
      });
    } finally {
      await testApp.app.close();
      await testApp.database.drop();
    }
  });

  it('a wrong token gives one clear log line at boot, health shows it, and nothing loops', async () => {
    const sandbox = await startSandboxServer();
    const database = await createTestDatabase();
    const errors: string[] = [];
    const config = loadAppConfig({
      LOG_LEVEL: 'silent',
      SCHEDULER_ENABLED: 'false',
      API_KEY: TEST_API_KEY,
      DATABASE_URL: database.url,
      CHAT2DESK_API_URL: sandbox.url,
      CHAT2DESK_TOKEN: 'not-the-token-42',
    });
    const app = await createApp(config);
    const logSpy = jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((message: unknown) => void errors.push(String(message)));
    try {
      // The boot check runs on init; the first health call waits for it rather than calling again.
      await app.listen(0, '127.0.0.1');
      const server = app.getHttpServer();
      for (let index = 0; index < 3; index += 1) {
        const health = await request(server).get('/health').expect(200);
        expect(health.body).toMatchObject({
          status: 'degraded',
          chat2desk: { ok: false, state: 'rejected', error: expect.stringContaining('Token is not correct') },
        });
        expect(JSON.stringify(health.body)).not.toContain('not-the-token-42');
      }
      expect(sandbox.ledger().requestsByRoute).toEqual({ 'GET /v1/companies/api_info': 1 });
      expect(errors).toEqual(['Chat2Desk rejected CHAT2DESK_TOKEN (Token is not correct) — check the token']);
    } finally {
      logSpy.mockRestore();
      await app.close();
      await database.drop();
      await sandbox.close();
    }
  });
});
