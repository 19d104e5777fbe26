import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';

/** The database side of the health check. */
@Injectable()
export class HealthStore {
  constructor(private readonly database: Database) {}

  /** Resolves when PostgreSQL answers a trivial query; rejects with its error otherwise. */
  async ping(): Promise<void> {
    await this.database.sql('SELECT 1');
  }
}
