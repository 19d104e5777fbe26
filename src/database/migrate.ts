import 'reflect-metadata';
import { join } from 'node:path';
import { loadAppConfig } from '../config/app-config';
import { loadDotEnv } from '../config/dot-env';
import { ConfigurationError } from '../config/env-reader';
import { startEmbeddedPostgres } from './embedded-postgres';
import { revertMigrations, runMigrations } from './migrations';

/** `npm run migration:run` / `migration:revert`: on DATABASE_URL, or on the embedded database of `npm start`. */
async function main(direction: string | undefined): Promise<void> {
  if (direction !== 'run' && direction !== 'revert') throw new Error('usage: migrate run|revert');
  loadDotEnv();
  const config = loadAppConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ dataDir: join(config.dataDir, 'postgres') });
  try {
    if (embedded) await embedded.ensureDatabase('chat2desk');
    const url = config.databaseUrl ?? embedded!.urlFor('chat2desk');
    if (direction === 'run') {
      const applied = await runMigrations(url);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
    } else {
      const reverted = await revertMigrations(url, 1);
      console.log(reverted ? 'Reverted the last migration' : 'No migration to revert');
    }
  } finally {
    await embedded?.stop();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
