import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credentials shared by every instance on the database, instead of a file on one node:
 * - `api_tokens`: API keys, stored as SHA-256 hashes (the key itself is shown once). The zero-config
 *   key is the one row with `zero_config`, generated once per database; people's personal tokens
 *   will be rows here too.
 * - `sessions`: dashboard sessions by token hash; signing out deletes the row, so the cookie stops
 *   working at once on every instance.
 */
export class CredentialsInDatabase1764200000000 implements MigrationInterface {
  name = 'CredentialsInDatabase1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        zero_config boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX api_tokens_one_zero_config ON api_tokens (zero_config) WHERE zero_config AND revoked_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE sessions (
        token_hash text PRIMARY KEY,
        actor text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX sessions_expires_at_idx ON sessions (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE sessions`);
    await queryRunner.query(`DROP TABLE api_tokens`);
  }
}
