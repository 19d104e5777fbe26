import { lowerRole, type Role } from '../common/actor';
import type { Sql } from '../database/sql';
import { generateApiKey, secretHash } from './secret-hash';

const ZERO_CONFIG_NAME = 'zero-config key';
/** last_used_at is refreshed at most this often per token: a write per request would be waste. */
const LAST_USED_PRECISION_SECONDS = 60;

export interface ActiveToken {
  id: string;
  name: string;
  /** What it may do: its own role, never more than its owner's current one. */
  role: Role;
  /** The owner of a personal token; absent for the service key. */
  owner?: { id: string; name: string; email: string };
}

/** A personal token as its owner lists it (never the secret). */
export interface PersonalToken {
  id: string;
  name: string;
  role: Role;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const PERSONAL_COLUMNS = `id::text, name, role, user_id AS "userId", created_at AS "createdAt", last_used_at AS "lastUsedAt"`;

/** `api_tokens`: API keys by their hash. Takes plain `Sql` so the start-up provisioning can use it too. */
export class ApiTokenStore {
  constructor(private readonly sql: Sql) {}

  /**
   * The active token with this secret, marking it used; undefined when none, revoked, or its owner
   * is disabled. A personal token's role is capped by its owner's current role.
   */
  async findActive(secret: string): Promise<ActiveToken | undefined> {
    const [row] = await this.sql<{
      id: string;
      name: string;
      role: Role;
      ownerRole: Role | null;
      ownerId: string | null;
      ownerName: string | null;
      ownerEmail: string | null;
      stale: boolean;
    }>(
      `SELECT t.id::text, t.name, t.role, u.role AS "ownerRole", u.id::text AS "ownerId", u.name AS "ownerName",
              u.email AS "ownerEmail",
              (t.last_used_at IS NULL OR t.last_used_at < now() - $2 * interval '1 second') AS stale
       FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.user_id IS NULL OR u.disabled_at IS NULL)`,
      [secretHash(secret), LAST_USED_PRECISION_SECONDS],
    );
    if (!row) return undefined;
    if (row.stale) await this.sql(`UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, [row.id]);
    if (!row.ownerId) return { id: row.id, name: row.name, role: row.role };
    return {
      id: row.id,
      name: row.name,
      role: lowerRole(row.role, row.ownerRole!),
      owner: { id: row.ownerId, name: row.ownerName!, email: row.ownerEmail! },
    };
  }

  /** A new personal token; the secret is returned once and stored hashed. */
  async createPersonal(userId: string, name: string, role: Role): Promise<PersonalToken & { token: string }> {
    const token = generateApiKey();
    const [created] = await this.sql<PersonalToken>(
      `INSERT INTO api_tokens (name, token_hash, user_id, role) VALUES ($1, $2, $3, $4) RETURNING ${PERSONAL_COLUMNS}`,
      [name, secretHash(token), userId, role],
    );
    return { ...created, token };
  }

  /** Active personal tokens, of one person or (no `userId`) of everyone, newest first. */
  listPersonal(userId?: string): Promise<PersonalToken[]> {
    return this.sql<PersonalToken>(
      `SELECT ${PERSONAL_COLUMNS} FROM api_tokens
       WHERE user_id IS NOT NULL AND revoked_at IS NULL AND ($1::uuid IS NULL OR user_id = $1)
       ORDER BY created_at DESC`,
      [userId ?? null],
    );
  }

  /** Revokes a personal token (only the owner's, when `userId` is given); false when there was none. */
  async revokePersonal(id: string, userId?: string): Promise<boolean> {
    const revoked = await this.sql(
      `UPDATE api_tokens SET revoked_at = now()
       WHERE id = $1 AND user_id IS NOT NULL AND revoked_at IS NULL AND ($2::uuid IS NULL OR user_id = $2)
       RETURNING 1`,
      [id, userId ?? null],
    );
    return revoked.length > 0;
  }

  /**
   * The zero-config key, once per database: adopts `legacyKey` (the file older versions kept under
   * DATA_DIR) or generates one. Answers the key only when this call created it, to print it once;
   * instances starting together race on a unique index and exactly one wins.
   */
  async ensureZeroConfig(legacyKey?: string): Promise<{ createdKey?: string }> {
    const key = legacyKey ?? generateApiKey();
    const inserted = await this.sql(
      `INSERT INTO api_tokens (name, token_hash, zero_config) VALUES ($1, $2, true)
       ON CONFLICT DO NOTHING RETURNING id`,
      [ZERO_CONFIG_NAME, secretHash(key)],
    );
    return inserted.length > 0 && legacyKey === undefined ? { createdKey: key } : {};
  }

  /** Revokes the zero-config key and issues a new one, in one transaction's worth of statements. */
  async rotateZeroConfig(): Promise<string> {
    const key = generateApiKey();
    await this.sql(
      `WITH revoked AS (
         UPDATE api_tokens SET revoked_at = now() WHERE zero_config AND revoked_at IS NULL RETURNING id)
       INSERT INTO api_tokens (name, token_hash, zero_config)
       SELECT $1, $2, true FROM (SELECT count(*) FROM revoked) AS done`,
      [ZERO_CONFIG_NAME, secretHash(key)],
    );
    return key;
  }
}
