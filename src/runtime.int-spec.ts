import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmptyDatabase } from '../test/support/test-database';
import { loadAppConfig } from './config/app-config';
import { provisionRuntime } from './runtime';

describe('provisionRuntime without CHAT2DESK_TOKEN', () => {
  it('starts one sandbox per DATA_DIR; a second process (the CLI) uses the running one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'c2d-runtime-'));
    const database = await createEmptyDatabase();
    const config = loadAppConfig({ DATA_DIR: dataDir, DATABASE_URL: database.url });
    const quiet = () => undefined;
    try {
      const owner = await provisionRuntime(config, quiet, { migrate: false, apiKey: false });
      expect(existsSync(join(dataDir, 'sandbox.json'))).toBe(true);

      const second = await provisionRuntime(config, quiet, { migrate: false, apiKey: false });
      expect(second.config.chat2desk).toMatchObject({
        apiUrl: owner.config.chat2desk.apiUrl,
        token: owner.config.chat2desk.token,
      });
      await second.close();
      const info = await fetch(`${owner.config.chat2desk.apiUrl}/v1/companies/api_info`, {
        headers: { Authorization: owner.config.chat2desk.token! },
      });
      expect(info.status).toBe(200);

      await owner.close();
      expect(existsSync(join(dataDir, 'sandbox.json'))).toBe(false);
    } finally {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
