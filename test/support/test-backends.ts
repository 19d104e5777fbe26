import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { RunningSandbox, SandboxOptions, startSandboxServer } from '../../src/sandbox/sandbox-server';
import { createTestDatabase, TestDatabase } from './test-database';

/** What a test app runs against: a sandbox over HTTP, a fresh database, and the config naming both. */
export interface TestBackends {
  sandbox: RunningSandbox;
  database: TestDatabase;
  config: AppConfig;
  /** Drops the database and stops the sandbox; close the app first. */
  close(): Promise<void>;
}

/**
 * Starts a sandbox and a fresh database and loads the app config for them (logs silent, crons off,
 * then `env`; the database and Chat2Desk settings always point at these two). Nothing is left
 * running when it fails.
 */
export async function startTestBackends(
  env: Record<string, string> = {},
  sandboxOptions: SandboxOptions = {},
): Promise<TestBackends> {
  // Signs webhook calls with the secret the app is given, as Chat2Desk would.
  const webhookSecret = env.CHAT2DESK_WEBHOOK_SECRET;
  const sandbox = await startSandboxServer({
    port: 0,
    ...(webhookSecret
      ? {
          webhookSigning: {
            secret: webhookSecret,
            header: env.CHAT2DESK_WEBHOOK_SIGNATURE_HEADER ?? 'X-Signature',
          },
        }
      : {}),
    ...sandboxOptions,
  });
  let database: TestDatabase | undefined;
  try {
    database = await createTestDatabase();
    const config = loadAppConfig({
      LOG_LEVEL: 'silent',
      SCHEDULER_ENABLED: 'false',
      ...env,
      DATABASE_URL: database.url,
      CHAT2DESK_API_URL: sandbox.url,
      CHAT2DESK_TOKEN: sandbox.token,
    });
    const opened = database;
    return {
      sandbox,
      database,
      config,
      close: async () => {
        await opened.drop();
        await sandbox.close();
      },
    };
  } catch (error) {
    await database?.drop();
    await sandbox.close();
    throw error;
  }
}
