import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';

const ROOT = join(__dirname, '..', '..');

/**
 * The one place TypeORM is configured: the app, the CLI, tests and `ormconfig.ts` all call this,
 * so the schema the code expects is always the one the committed migrations build.
 */
export interface PoolOptions {
  /** Connections this process may open (DATABASE_POOL_SIZE); default 20. */
  poolSize?: number;
}

export function buildTypeOrmOptions(databaseUrl: string, pool: PoolOptions = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: [join(ROOT, 'src', '**', '*.entity.{ts,js}')],
    migrations: [join(ROOT, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'typeorm_migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    extra: { max: pool.poolSize ?? 20, application_name: 'chat2desk-campaigns' },
  };
}
