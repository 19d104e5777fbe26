import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Database } from '../database/database';

/** A readiness probe must answer quickly even when PostgreSQL hangs rather than refuses. */
const PROBE_TIMEOUT_MS = 2_000;

/** The database side of the health checks. */
@Injectable()
export class HealthStore {
  constructor(
    private readonly database: Database,
    private readonly dataSource: DataSource,
  ) {}

  /** Resolves when PostgreSQL answers a trivial query; rejects with its error (or a timeout) otherwise. */
  async ping(): Promise<void> {
    await withTimeout(this.database.sql('SELECT 1'), 'the database did not answer within 2 s');
  }

  /** Committed migrations this database has not applied yet (a node started before `migrate`). */
  async pendingMigrations(): Promise<string[]> {
    const table = this.dataSource.options.migrationsTableName ?? 'migrations';
    const applied = await withTimeout(
      this.database.sql<{ name: string }>(`SELECT name FROM "${table}"`),
      'the database did not answer within 2 s',
    );
    const names = new Set(applied.map((row) => row.name));
    return this.dataSource.migrations
      .map((migration) => migration.name ?? migration.constructor.name)
      .filter((name) => !names.has(name));
  }
}

async function withTimeout<T>(work: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
