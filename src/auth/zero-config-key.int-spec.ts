import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createEmptyDatabase } from '../../test/support/test-database';
import { loadAppConfig } from '../config/app-config';
import { sqlFromClient } from '../database/sql';
import { provisionRuntime } from '../runtime';
import { ApiTokenStore } from './api-token.store';

describe('the zero-config API key, kept in the database', () => {
  let dataDir: string;
  let database: { url: string; drop(): Promise<void> };

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'c2d-api-key-'));
    database = await createEmptyDatabase();
  });

  afterEach(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  });

  // A token keeps the sandbox out of it; the database is real and starts empty.
  async function provision(env: Record<string, string> = {}): Promise<string[]> {
    const printed: string[] = [];
    const config = loadAppConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      CHAT2DESK_TOKEN: 'token',
      ...env,
    });
    const runtime = await provisionRuntime(config, (line) => printed.push(line));
    await runtime.close();
    return printed;
  }

  async function withTokens<T>(work: (tokens: ApiTokenStore, client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return await work(new ApiTokenStore(sqlFromClient(client)), client);
    } finally {
      await client.end();
    }
  }

  const printedKeys = (lines: string[]) => lines.join('\n').match(/c2d_[\w-]{32}/g) ?? [];

  it('is generated once per database by whichever instance starts first, printed once, and works', async () => {
    const starts = await Promise.all([provision(), provision(), provision()]);
    const keys = starts.flatMap(printedKeys);
    expect(keys).toHaveLength(1);

    expect(printedKeys(await provision())).toEqual([]);
    await withTokens(async (tokens, client) => {
      expect(await tokens.findActive(keys[0])).toMatchObject({ name: 'zero-config key' });
      expect(await tokens.findActive('c2d_guess')).toBeUndefined();
      // Only its hash is stored.
      const stored = await client.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
      expect(stored.rows.map((row) => row.token_hash)).not.toContain(keys[0]);
    });
  });

  it('adopts the key file of earlier versions, so their scripts keep working', async () => {
    writeFileSync(join(dataDir, 'api-key'), 'c2d_from_an_earlier_version_000000000\n');

    expect(printedKeys(await provision())).toEqual([]);
    await withTokens(async (tokens) =>
      expect(await tokens.findActive('c2d_from_an_earlier_version_000000000')).toBeDefined(),
    );
  });

  it('rotates: the new key works at once and the old one no longer does', async () => {
    const [old] = printedKeys(await provision());
    expect(old).toBeDefined();
    await withTokens(async (tokens) => {
      const fresh = await tokens.rotateZeroConfig();
      expect(await tokens.findActive(fresh)).toBeDefined();
      expect(await tokens.findActive(old!)).toBeUndefined();
    });
  });

  it('is not created when API_KEY is set', async () => {
    expect(printedKeys(await provision({ API_KEY: 'from-the-environment' }))).toEqual([]);
    await withTokens(async (_tokens, client) =>
      expect((await client.query('SELECT 1 FROM api_tokens')).rowCount).toBe(0),
    );
  });
});
