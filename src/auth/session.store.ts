import type { Role } from '../common/actor';
import type { Sql } from '../database/sql';
import { secretHash } from './secret-hash';

export interface SessionOwner {
  /** `user` for a person; `api-key` for a dashboard session opened with the service key. */
  actor: 'user' | 'api-key';
  role: Role;
  user?: { id: string; name: string; email: string };
}

/** `sessions`: dashboard sessions by token hash, shared by every instance. */
export class SessionStore {
  constructor(private readonly sql: Sql) {}

  async create(
    token: string,
    owner: { actor: string; role: Role; userId?: string },
    expiresAt: Date,
  ): Promise<void> {
    await this.sql(
      `INSERT INTO sessions (token_hash, actor, role, user_id, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [secretHash(token), owner.actor, owner.role, owner.userId ?? null, expiresAt],
    );
  }

  /**
   * Who the session belongs to while it is unexpired at `now`; undefined once ended or expired, or
   * when its person is disabled. A person's role is read from `users`, so a change applies at once.
   */
  async ownerOf(token: string, now: Date): Promise<SessionOwner | undefined> {
    const [row] = await this.sql<{
      actor: string;
      role: Role;
      userId: string | null;
      name: string | null;
      email: string | null;
    }>(
      `SELECT s.actor, COALESCE(u.role, s.role) AS role, u.id::text AS "userId", u.name, u.email
       FROM sessions s LEFT JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = $1 AND s.expires_at > $2 AND (s.user_id IS NULL OR u.disabled_at IS NULL)`,
      [secretHash(token), now],
    );
    if (!row) return undefined;
    if (!row.userId) return { actor: 'api-key', role: row.role };
    return { actor: 'user', role: row.role, user: { id: row.userId, name: row.name!, email: row.email! } };
  }

  async end(token: string): Promise<void> {
    await this.sql(`DELETE FROM sessions WHERE token_hash = $1`, [secretHash(token)]);
  }

  /** Ends every session of a person (disabled, role or password changed, deleted). */
  async endAllOf(userId: string, sql: Sql = this.sql): Promise<void> {
    await sql(`DELETE FROM sessions WHERE user_id = $1`, [userId]);
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
