import { MigrationInterface, QueryRunner } from 'typeorm';

/** Who created, started, paused, cancelled or deleted what, and when. Append-only. */
export class AuditEvents1764040900000 implements MigrationInterface {
  name = 'AuditEvents1764040900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text,
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query(
      `CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, at DESC)`,
    );
    await queryRunner.query(`CREATE INDEX audit_events_at_idx ON audit_events (at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_events`);
  }
}
