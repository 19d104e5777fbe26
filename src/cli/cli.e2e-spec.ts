import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createEmptyDatabase } from '../../test/support/test-database';
import { ExitCode } from './exit-codes';

const ROOT = join(__dirname, '..', '..');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI the way `npm run cli --` does, in a child process with only the given settings. */
function cli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const { API_KEY: _key, CHAT2DESK_TOKEN: _token, DATABASE_URL: _url, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', ...args],
      { cwd: ROOT, env: { ...inherited, LOG_LEVEL: 'silent', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

async function tableExists(url: string, table: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [table]);
    return result.rows[0].present as boolean;
  } finally {
    await client.end();
  }
}

describe('CLI in a child process', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataDir: string;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'c2d-cli-'));
  });
  afterAll(async () => {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrate up --json applies every migration and says which; down reverts them', async () => {
    const up = await cli(['migrate', 'up', '--json'], { DATABASE_URL: database.url });
    expect(up.code).toBe(ExitCode.Ok);
    const applied = JSON.parse(up.stdout).applied as string[];
    expect(applied).toContain('AuditEvents1764040900000');
    expect(await tableExists(database.url, 'audit_events')).toBe(true);

    const again = await cli(['migrate', 'up', '--json'], { DATABASE_URL: database.url });
    expect(JSON.parse(again.stdout)).toEqual({ applied: [] });

    const down = await cli(['migrate', 'down', '--steps', String(applied.length), '--json'], {
      DATABASE_URL: database.url,
    });
    expect(down.code).toBe(ExitCode.Ok);
    expect(JSON.parse(down.stdout)).toEqual({ reverted: applied.length });
    expect(await tableExists(database.url, 'audit_events')).toBe(false);
  });

  it('exits 2 on usage errors: a bad argument, a bad option value, an unknown option', async () => {
    const badDirection = await cli(['migrate', 'sideways'], { DATABASE_URL: database.url });
    expect(badDirection.code).toBe(ExitCode.Usage);
    expect(badDirection.stderr).toContain('expected "up" or "down"');
    expect((await cli(['migrate', 'down', '--steps', 'x'], { DATABASE_URL: database.url })).code).toBe(
      ExitCode.Usage,
    );
    expect((await cli(['sandbox', '--no-such-flag'], { DATA_DIR: dataDir })).code).toBe(ExitCode.Usage);
  });

  it('api-key: the database key is shown only by --rotate; a key set in the environment cannot be rotated (4)', async () => {
    const env = { DATABASE_URL: database.url, DATA_DIR: dataDir };
    const shown = await cli(['api-key', '--json'], env);
    expect(shown.code).toBe(ExitCode.Ok);
    expect(JSON.parse(shown.stdout)).toEqual({ source: 'database', rotated: false });

    const rotated = await cli(['api-key', '--rotate', '--json'], env);
    expect(rotated.code).toBe(ExitCode.Ok);
    expect(JSON.parse(rotated.stdout)).toEqual({
      apiKey: expect.stringMatching(/^c2d_[\w-]{32}$/),
      source: 'database',
      rotated: true,
    });

    const refused = await cli(['api-key', '--rotate', '--json'], { ...env, API_KEY: 'from-env' });
    expect(refused.code).toBe(ExitCode.Conflict);
    expect(JSON.parse(refused.stdout)).toEqual({
      error: { code: 'api_key_from_env', message: 'API_KEY is set in the environment: change it there' },
    });
  });

  it('quota --json boots the whole app zero-config (migrations, sandbox) and reports the account', async () => {
    const quota = await cli(['quota', '--json'], { DATABASE_URL: database.url, DATA_DIR: dataDir });
    expect(quota.code).toBe(ExitCode.Ok);
    expect(JSON.parse(quota.stdout)).toMatchObject({ reserve: 50, rateLimitPerSecond: 5 });
    expect(await tableExists(database.url, 'audit_events')).toBe(true);
  });
});
