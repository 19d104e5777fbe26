import { join } from 'node:path';
import { AppConfig } from './config/app-config';
import { startEmbeddedPostgres } from './database/embedded-postgres';
import { runMigrations } from './database/migrations';
import { startSandboxServer } from './sandbox/sandbox-server';

export interface ProvisionedRuntime {
  /** The configuration with the embedded database and sandbox filled in. */
  config: AppConfig;
  /** What was started in-process, for the start-up log line. */
  embedded: { database: boolean; sandbox?: string };
  /** Stops what was started here, in reverse order. */
  close(): Promise<void>;
}

/**
 * Fills the gaps of a zero-config start: no DATABASE_URL starts an embedded PostgreSQL under
 * DATA_DIR/postgres, no CHAT2DESK_TOKEN starts the Chat2Desk sandbox in-process. Then migrates.
 */
export async function provisionRuntime(config: AppConfig, log: (message: string) => void): Promise<ProvisionedRuntime> {
  const stops: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => log(`shutdown: ${String(error)}`));
  };
  try {
    const resolved: AppConfig = { ...config, chat2desk: { ...config.chat2desk } };
    if (!resolved.databaseUrl) {
      const postgres = await startEmbeddedPostgres({ dataDir: join(config.dataDir, 'postgres') });
      stops.push(() => postgres.stop());
      await postgres.ensureDatabase('chat2desk');
      resolved.databaseUrl = postgres.urlFor('chat2desk');
      log(`Embedded PostgreSQL started (data in ${join(config.dataDir, 'postgres')})`);
    }
    let sandboxUrl: string | undefined;
    if (!resolved.chat2desk.token) {
      const sandbox = await startSandboxServer({ port: config.sandboxPort });
      stops.push(() => sandbox.close());
      resolved.chat2desk.apiUrl = sandbox.url;
      resolved.chat2desk.token = sandbox.token;
      sandboxUrl = sandbox.url;
      log(`CHAT2DESK_TOKEN is not set: using the built-in Chat2Desk sandbox at ${sandbox.url}`);
    }
    const applied = await runMigrations(resolved.databaseUrl);
    if (applied.length > 0) log(`Applied migrations: ${applied.join(', ')}`);
    return { config: resolved, embedded: { database: !config.databaseUrl, sandbox: sandboxUrl }, close };
  } catch (error) {
    await close();
    throw error;
  }
}
