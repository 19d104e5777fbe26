import type { Sql } from '../database/sql';
import { generateApiKey, secretHash } from './secret-hash';

const ZERO_CONFIG_NAME = 'zero-config key';
/** last_used_at is refreshed at most this often per token: a write per request would be waste. */
const LAST_USED_PRECISION_SECONDS = 60;

export interface ActiveToken {
  id: string;
  name: string;
}

/** `api_tokens`: API keys by their hash. Takes plain `Sql` so the start-up provisioning can use it too. */
export class ApiTokenStore {
  constructor(private readonly sql: Sql) {}

  /** The active token with this secret, marking it used; undefined when none (or revoked). */
  async findActive(secret: string): Promise<ActiveToken | undefined> {
    const [row] = await this.sql<{ id: string; name: string; stale: boolean }>(
      `SELECT id::text, name, (last_used_at IS NULL OR last_used_at < now() - $2 * interval '1 second') AS stale
       FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
      [secretHash(secret), LAST_USED_PRECISION_SECONDS],
    );
    if (!row) return undefined;
    if (row.stale) await this.sql(`UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, [row.id]);
    return { id: row.id, name: row.name };
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
