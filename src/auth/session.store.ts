import type { Sql } from '../database/sql';
import { secretHash } from './secret-hash';

/** `sessions`: dashboard sessions by token hash, shared by every instance. */
export class SessionStore {
  constructor(private readonly sql: Sql) {}

  async create(token: string, actor: string, expiresAt: Date): Promise<void> {
    await this.sql(`INSERT INTO sessions (token_hash, actor, expires_at) VALUES ($1, $2, $3)`, [
      secretHash(token),
      actor,
      expiresAt,
    ]);
  }

  /** The session's actor while it is unexpired at `now`; undefined once ended or expired. */
  async actorOf(token: string, now: Date): Promise<string | undefined> {
    const [row] = await this.sql<{ actor: string }>(
      `SELECT actor FROM sessions WHERE token_hash = $1 AND expires_at > $2`,
      [secretHash(token), now],
    );
    return row?.actor;
  }

  async end(token: string): Promise<void> {
    await this.sql(`DELETE FROM sessions WHERE token_hash = $1`, [secretHash(token)]);
  }

  /** Drops sessions that expired before `now`; returns how many. */
  async deleteExpired(now: Date): Promise<number> {
    const rows = await this.sql(
      `WITH gone AS (DELETE FROM sessions WHERE expires_at <= $1 RETURNING 1) SELECT 1 FROM gone`,
      [now],
    );
    return rows.length;
  }
}
