import { MigrationInterface, QueryRunner } from 'typeorm';

/** Local copy of the Chat2Desk templates, and indexes the campaign scheduler polls by. */
export class MessageTemplates1764043200000 implements MigrationInterface {
  name = 'MessageTemplates1764043200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE message_templates (
        id bigint PRIMARY KEY,
        name text NOT NULL,
        text text NOT NULL,
        synced_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX campaign_runs_active_idx ON campaign_runs (state, occurrence_at) WHERE state IN ('preparing', 'running')`,
    );
    // The scheduler asks "is anything of this run still unsent?" every poll; without this it scans the run.
    await queryRunner.query(
      `CREATE INDEX campaign_recipients_run_state_idx ON campaign_recipients (run_id, state)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX campaign_recipients_run_state_idx`);
    await queryRunner.query(`DROP INDEX campaign_runs_active_idx`);
    await queryRunner.query(`DROP TABLE message_templates`);
  }
}
