import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { Sql, sqlFrom } from './sql';

/**
 * How stores reach PostgreSQL: parameterised SQL through `sql`, or several statements in one
 * transaction through `transaction`. TypeORM stays underneath as the pool and migration runner.
 */
@Injectable()
export class Database {
  readonly sql: Sql;

  constructor(private readonly dataSource: DataSource) {
    this.sql = sqlFrom(dataSource);
  }

  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(sqlFrom(manager)));
  }

  /** One pooled connection as the pg driver's client, for what SQL text cannot carry (COPY … FROM STDIN). */
  async connection<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      return await work(client);
    } finally {
      await runner.release();
    }
  }
}
