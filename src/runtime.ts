import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiKeyPath, ensureStoredApiKey } from './auth/api-key-store';
import { AppConfig } from './config/app-config';
import { isAlive, startEmbeddedPostgres } from './database/embedded-postgres';
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

export interface ProvisionOptions {
  /** Apply pending migrations (default true; `cli migrate` does it itself). */
  migrate?: boolean;
  /** Start the sandbox when CHAT2DESK_TOKEN is unset (default true). */
  sandbox?: boolean;
  /** Read or generate the stored API key when API_KEY is unset (default true). */
  apiKey?: boolean;
}

/**
 * Fills the gaps of a zero-config start: no API_KEY uses the one stored under DATA_DIR (generated
 * and printed on first start), no DATABASE_URL starts an embedded PostgreSQL under
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
    if (options.apiKey !== false) resolved.apiKey ??= provisionApiKey(config.dataDir, log);
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
  const sandbox = await startSandboxServer({ port: config.sandboxPort });
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

/** The key is printed only when it is generated; after that it is read from its 0600 file. */
function provisionApiKey(dataDir: string, log: (message: string) => void): string {
  const { key, generated } = ensureStoredApiKey(dataDir);
  if (generated) {
    log(
      `API_KEY is not set: generated an API key, stored in ${apiKeyPath(dataDir)} (shown only this once):\n\n    ${key}\n`,
    );
  }
  return key;
}
