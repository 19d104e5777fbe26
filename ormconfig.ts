import { DataSource } from 'typeorm';
import { loadAppConfig } from './src/config/app-config';
import { loadDotEnv } from './src/config/dot-env';
import { buildTypeOrmOptions } from './src/database/typeorm-options';

/** Used by the TypeORM CLI (`npm run migration:*`); needs DATABASE_URL. */
loadDotEnv();
const config = loadAppConfig();
if (!config.databaseUrl) {
  throw new Error(
    'DATABASE_URL must be set for the TypeORM CLI (e.g. postgres://postgres@127.0.0.1:5432/chat2desk)',
  );
}

export default new DataSource(buildTypeOrmOptions(config.databaseUrl, { poolSize: config.databasePoolSize }));
