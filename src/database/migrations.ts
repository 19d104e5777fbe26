import { DataSource } from 'typeorm';
import { buildTypeOrmOptions } from './typeorm-options';

/** Applies every pending committed migration; returns their names. */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const dataSource = new DataSource(buildTypeOrmOptions(databaseUrl));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Reverts the last `steps` migrations (all of them with Infinity); returns how many were reverted. */
export async function revertMigrations(databaseUrl: string, steps = 1): Promise<number> {
  const dataSource = new DataSource(buildTypeOrmOptions(databaseUrl));
  await dataSource.initialize();
  let reverted = 0;
  try {
    while (reverted < steps && (await hasAppliedMigrations(dataSource))) {
      await dataSource.undoLastMigration({ transaction: 'each' });
      reverted += 1;
    }
    return reverted;
  } finally {
    await dataSource.destroy();
  }
}

async function hasAppliedMigrations(dataSource: DataSource): Promise<boolean> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const rows: Array<{ count: string }> = await dataSource.query(
    `SELECT count(*)::text AS count FROM information_schema.tables WHERE table_name = $1`,
    [table],
  );
  if (rows[0].count === '0') return false;
  const applied: Array<{ count: string }> = await dataSource.query(
    `SELECT count(*)::text AS count FROM "${table}"`,
  );
  return applied[0].count !== '0';
}
