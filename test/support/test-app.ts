import { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app.factory';
import { Clock } from '../../src/common/clock/clock';
import { AppConfig } from '../../src/config/app-config';
import { RunningSandbox, SandboxOptions } from '../../src/sandbox/sandbox-server';
import { startTestBackends } from './test-backends';
import { TestDatabase } from './test-database';

export const TEST_API_KEY = 'test-api-key-0123456789';

export interface TestApp {
  app: INestApplication;
  /** Base URL of the listening app, e.g. http://127.0.0.1:PORT */
  url: string;
  config: AppConfig;
  database: TestDatabase;
  sandbox: RunningSandbox;
  /** `Authorization` header value for the API. */
  auth: { Authorization: string };
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment, as an operator would set it (e.g. CHAT2DESK_RATE_LIMIT_PER_SECOND). */
  env?: Record<string, string>;
  sandbox?: SandboxOptions;
  clock?: Clock;
}

/**
 * A real app on a fresh database, talking over HTTP to a real sandbox. Crons are off: tests call
 * the services the crons would call.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const backends = await startTestBackends({ API_KEY: TEST_API_KEY, ...options.env }, options.sandbox);
  const { config, database, sandbox } = backends;
  const app = await createApp(config, { clock: options.clock });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    config,
    database,
    sandbox,
    auth: { Authorization: `Bearer ${TEST_API_KEY}` },
    close: async () => {
      await app.close();
      await backends.close();
    },
  };
}
