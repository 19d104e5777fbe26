import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from '../config/app-config';
import { provisionRuntime } from '../runtime';
import { apiKeyPath, readStoredApiKey } from './api-key-store';

describe('API key of a zero-config start', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'c2d-api-key-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  // A database URL and a token keep the embedded server and the sandbox out of it.
  const configFor = (env: Record<string, string> = {}) =>
    loadAppConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://unused/db',
      CHAT2DESK_TOKEN: 'token',
      ...env,
    });

  async function provision(env?: Record<string, string>): Promise<{ apiKey?: string; printed: string[] }> {
    const printed: string[] = [];
    const runtime = await provisionRuntime(configFor(env), (line) => printed.push(line), { migrate: false });
    await runtime.close();
    return { apiKey: runtime.config.apiKey, printed };
  }

  it('is generated, stored 0600 and printed on the first start, then reused silently', async () => {
    const first = await provision();
    expect(first.apiKey).toMatch(/^c2d_[\w-]{32}$/);
    expect(readStoredApiKey(dataDir)).toBe(first.apiKey);
    expect(statSync(apiKeyPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(first.printed.filter((line) => line.includes(first.apiKey!))).toHaveLength(1);

    const second = await provision();
    expect(second.apiKey).toBe(first.apiKey);
    expect(second.printed.join('\n')).not.toContain(first.apiKey);
  });

  it('is taken from API_KEY when set, without touching the data directory', async () => {
    const configured = await provision({ API_KEY: 'from-the-environment' });
    expect(configured.apiKey).toBe('from-the-environment');
    expect(readStoredApiKey(dataDir)).toBeUndefined();
  });
});
