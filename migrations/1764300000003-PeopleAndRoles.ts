import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Team access (issue 13): people with a role and an Argon2id password (or a pending invitation),
 * personal API tokens that belong to a person and carry a role no higher than theirs, sessions that
 * belong to a person (ended at once when the person is disabled, changes role or password),
 * sign-in failures kept in the database (shared by every instance), and audit events that name
 * the person or token behind them.
 */
export class PeopleAndRoles1764300000003 implements MigrationInterface {
  name = 'PeopleAndRoles1764300000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'manager', 'viewer')),
        password_hash text,
        invite_token_hash text UNIQUE,
        invite_expires_at timestamptz,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await queryRunner.query(`
      ALTER TABLE api_tokens
        ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        ADD COLUMN role text NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'manager', 'viewer'))`);
    await queryRunner.query(
      `CREATE INDEX api_tokens_user_idx ON api_tokens (user_id) WHERE user_id IS NOT NULL`,
    );
    // Sessions of the shared-key era have no person: they end with this upgrade.
    await queryRunner.query(`DELETE FROM sessions`);
    await queryRunner.query(`
      ALTER TABLE sessions
        ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        ADD COLUMN role text NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'manager', 'viewer'))`);
    await queryRunner.query(`CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE user_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE sign_in_failures (
        key text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX sign_in_failures_key_at_idx ON sign_in_failures (key, at)`);
    await queryRunner.query(`
      ALTER TABLE audit_events
        ADD COLUMN actor_id text,
        ADD COLUMN actor_name text`);
    await queryRunner.query(
      `CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, at) WHERE actor_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE audit_events DROP COLUMN actor_id, DROP COLUMN actor_name`);
    await queryRunner.query(`DROP TABLE sign_in_failures`);
    await queryRunner.query(`DELETE FROM sessions WHERE user_id IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE sessions DROP COLUMN user_id, DROP COLUMN role`);
    await queryRunner.query(
      `UPDATE api_tokens SET revoked_at = now() WHERE user_id IS NOT NULL AND revoked_at IS NULL`,
    );
    await queryRunner.query(`ALTER TABLE api_tokens DROP COLUMN user_id, DROP COLUMN role`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
