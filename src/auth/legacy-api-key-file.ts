import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The key earlier versions kept in `$DATA_DIR/api-key`. On upgrade it becomes the database's
 * zero-config key, so scripts using it keep working; the database is the only store from then on.
 */
export function readLegacyApiKeyFile(dataDir: string): string | undefined {
  const path = join(dataDir, 'api-key');
  if (!existsSync(path)) return undefined;
  const key = readFileSync(path, 'utf8').trim();
  return key.length > 0 ? key : undefined;
}
