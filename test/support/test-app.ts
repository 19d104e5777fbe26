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
  /** One authenticated API request with a JSON body (if any); the answer's status and parsed body. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiReply<T>>;
  close(): Promise<void>;
}

export interface ApiReply<T> {
  status: number;
  body: T;
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
  const url = `http://127.0.0.1:${address.port}`;
  const auth = { Authorization: `Bearer ${TEST_API_KEY}` };
  return {
    app,
    url,
    config,
    database,
    sandbox,
    auth,
    call: async <T>(method: string, path: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { ...auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    close: async () => {
      await app.close();
      await backends.close();
    },
  };
}
