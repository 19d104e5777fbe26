import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ApiTokenStore } from './auth/api-token.store';
import { readLegacyApiKeyFile } from './auth/legacy-api-key-file';
import { AppConfig } from './config/app-config';
import { isAlive, startEmbeddedPostgres } from './database/embedded-postgres';
import { runMigrations } from './database/migrations';
import { sqlFromClient } from './database/sql';
import { startSandboxServer } from './sandbox/sandbox-server';

export interface ProvisionedRuntime {
  /** The configuration with the embedded database and sandbox filled in. */
  config: AppConfig;
  /** What was started in-process, for the start-up log line. */
  embedded: { database: boolean; sandbox?: string };
  /** Stops what was started here, in reverse order. */
  close(): Promise<void>;
}

export interface ProvisionOptions {
  /** Apply pending migrations (default true; `cli migrate` does it itself). */
  migrate?: boolean;
  /** Start the sandbox when CHAT2DESK_TOKEN is unset (default true). */
  sandbox?: boolean;
  /** Without API_KEY, make sure the database has its zero-config key (default true; needs `migrate`). */
  apiKey?: boolean;
}

/**
 * Fills the gaps of a zero-config start: no API_KEY uses the database's zero-config key (generated
 * and printed by the first start on that database), no DATABASE_URL starts an embedded PostgreSQL under
 * DATA_DIR/postgres, no CHAT2DESK_TOKEN starts the Chat2Desk sandbox in-process. Then migrates.
 */
export async function provisionRuntime(
  config: AppConfig,
  log: (message: string) => void,
  options: ProvisionOptions = {},
): Promise<ProvisionedRuntime> {
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
    if (!resolved.chat2desk.token && options.sandbox !== false) {
      const sandbox = runningSandboxOf(config.dataDir) ?? (await startOwnSandbox(config, stops));
      resolved.chat2desk.apiUrl = sandbox.url;
      resolved.chat2desk.token = sandbox.token;
      sandboxUrl = sandbox.url;
      log(`CHAT2DESK_TOKEN is not set: using the built-in Chat2Desk sandbox at ${sandbox.url}`);
    }
    if (options.migrate !== false) {
      const applied = await runMigrations(resolved.databaseUrl);
      if (applied.length > 0) log(`Applied migrations: ${applied.join(', ')}`);
      if (options.apiKey !== false && !resolved.apiKey)
        await provisionZeroConfigKey(resolved.databaseUrl, config.dataDir, log);
    }
    return { config: resolved, embedded: { database: !config.databaseUrl, sandbox: sandboxUrl }, close };
  } catch (error) {
    await close();
    throw error;
  }
}

interface SandboxHandle {
  url: string;
  token: string;
  pid: number;
}

const sandboxHandlePath = (dataDir: string) => join(dataDir, 'sandbox.json');

/**
 * The sandbox keeps its state in memory, so a second process on the same DATA_DIR (the CLI next to
 * `npm start`) must talk to the running one, not start its own: the owner leaves a handle file.
 */
async function startOwnSandbox(config: AppConfig, stops: Array<() => Promise<void>>): Promise<SandboxHandle> {
  // It signs its webhook calls with the app's secret, so the webhook works against it as against Chat2Desk.
  const sandbox = await startSandboxServer({
    port: config.sandboxPort,
    webhookSigning: config.webhookSecret
      ? { secret: config.webhookSecret, header: config.webhookSignatureHeader }
      : undefined,
  });
  const handle: SandboxHandle = { url: sandbox.url, token: sandbox.token, pid: process.pid };
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(sandboxHandlePath(config.dataDir), JSON.stringify(handle), { mode: 0o600 });
  stops.push(async () => {
    rmSync(sandboxHandlePath(config.dataDir), { force: true });
    await sandbox.close();
  });
  return handle;
}

function runningSandboxOf(dataDir: string): SandboxHandle | undefined {
  try {
    const handle = JSON.parse(readFileSync(sandboxHandlePath(dataDir), 'utf8')) as SandboxHandle;
    return isAlive(handle.pid) ? handle : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Without API_KEY the database's zero-config key is the credential: generated once per database
 * (whichever instance starts first) and printed only then; stored hashed, so never again.
 */
async function provisionZeroConfigKey(
  databaseUrl: string,
  dataDir: string,
  log: (message: string) => void,
): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { createdKey } = await new ApiTokenStore(sqlFromClient(client)).ensureZeroConfig(
      readLegacyApiKeyFile(dataDir),
    );
    if (createdKey)
      log(
        `API_KEY is not set: generated an API key for this database (shown only this once; \`npm run cli -- api-key --rotate\` replaces it):\n\n    ${createdKey}\n`,
      );
  } finally {
    await client.end();
  }
}
