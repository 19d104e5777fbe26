import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock/clock';
import { BatchLease } from './batch-lease';
import { Database } from './database';

/**
 * "One instance at a time" for a named piece of background work, as a row in `leases`: taken when
 * free or expired, renewed while the work runs, given back at the end. A holder that dies simply
 * lets its lease expire. Works behind a transaction-pooling PgBouncer (no session state) and holds
 * no connection while the work runs.
 */
@Injectable()
export class NamedLeases {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /** Runs `work` under the lease `name`; null (without running it) when another holder has it. */
  async whileHeld<T>(name: string, ttlMs: number, work: () => Promise<T>): Promise<T | null> {
    const owner = randomUUID();
    if (!(await this.take(name, owner, ttlMs))) return null;
    const lease = new BatchLease(() => this.take(name, owner, ttlMs), this.clock, ttlMs);
    try {
      return await work();
    } finally {
      lease.end();
      await this.database.sql(`DELETE FROM leases WHERE name = $1 AND owner = $2`, [name, owner]);
    }
  }

  /** Takes or renews the lease: free, expired on the database's clock, or already ours. */
  private async take(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const rows = await this.database.sql(
      `INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
         WHERE leases.owner = EXCLUDED.owner OR leases.expires_at < now()
       RETURNING 1`,
      [name, owner, ttlMs],
    );
    return rows.length > 0;
  }
}
