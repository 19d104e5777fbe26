import { Injectable } from '@nestjs/common';
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
}
