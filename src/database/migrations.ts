import { DataSource, MigrationExecutor, QueryRunner } from 'typeorm';
import { buildTypeOrmOptions } from './typeorm-options';

/**
 * Key of the transaction-level advisory lock every migration run takes: instances starting together
 * on an empty database queue behind the first instead of racing to create tables. A transaction
 * lock (not a session one) also holds behind a PgBouncer in transaction mode.
 */
const MIGRATION_LOCK_KEY = 0x6332_6d67; // "c2mg"

/** Applies every pending committed migration, all in one transaction under the lock; returns their names. */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const applied = await underMigrationLock(databaseUrl, (executor) => executor.executePendingMigrations());
  return applied.map((migration) => migration.name);
}

/** Reverts the last `steps` migrations (all of them with Infinity); returns how many were reverted. */
export async function revertMigrations(databaseUrl: string, steps = 1): Promise<number> {
  return underMigrationLock(databaseUrl, async (executor, runner) => {
    let reverted = 0;
    while (reverted < steps && (await hasAppliedMigrations(runner))) {
      await executor.undoLastMigration();
      reverted += 1;
    }
    return reverted;
  });
}

async function underMigrationLock<T>(
  databaseUrl: string,
  work: (executor: MigrationExecutor, runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const dataSource = new DataSource(buildTypeOrmOptions(databaseUrl, { poolSize: 1 }));
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    await runner.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'none'; // ours: the lock lives exactly as long as it
    const result = await work(executor, runner);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
    await dataSource.destroy();
  }
}

async function hasAppliedMigrations(runner: QueryRunner): Promise<boolean> {
  const table = runner.connection.options.migrationsTableName ?? 'migrations';
  const [exists] = (await runner.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [table])) as Array<{
    present: boolean;
  }>;
  if (!exists.present) return false;
  const [applied] = (await runner.query(`SELECT count(*)::int AS count FROM "${table}"`)) as Array<{
    count: number;
  }>;
  return applied.count > 0;
}
