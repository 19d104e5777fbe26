import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `leases`: "one instance at a time" for background work (the status tracker, …) as rows with an
 * owner and an expiry instead of session advisory locks, which a PgBouncer in transaction mode
 * breaks, and without holding a transaction open for the whole job.
 */
export class NamedLeases1764200000001 implements MigrationInterface {
  name = 'NamedLeases1764200000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE leases (
        name text PRIMARY KEY,
        owner text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE leases`);
  }
}
