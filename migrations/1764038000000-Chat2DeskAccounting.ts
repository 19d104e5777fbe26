import { MigrationInterface, QueryRunner } from 'typeorm';

/** What every Chat2Desk request is checked against and recorded in: quota per month, shared rate slot, ledger. */
export class Chat2DeskAccounting1764038000000 implements MigrationInterface {
  name = 'Chat2DeskAccounting1764038000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per month; `used` is reserved atomically before each request, by every instance.
    await queryRunner.query(`
      CREATE TABLE chat2desk_quota_month (
        month text PRIMARY KEY CHECK (month ~ '^\\d{4}-\\d{2}$'),
        used integer NOT NULL DEFAULT 0 CHECK (used >= 0),
        mode text,
        reported_used integer,
        reported_at timestamptz
      )`);
    // The account-wide rate limit: the next free request slot, shared by every instance.
    await queryRunner.query(`
      CREATE TABLE chat2desk_rate_limit (
        id text PRIMARY KEY,
        next_slot_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`INSERT INTO chat2desk_rate_limit (id) VALUES ('account')`);
    // Aggregated request counts; campaign_id '' = not attributed to a campaign.
    await queryRunner.query(`
      CREATE TABLE chat2desk_request_ledger (
        month text NOT NULL,
        endpoint text NOT NULL,
        kind text NOT NULL,
        outcome text NOT NULL,
        campaign_id text NOT NULL DEFAULT '',
        count integer NOT NULL,
        PRIMARY KEY (month, endpoint, kind, outcome, campaign_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX chat2desk_request_ledger_campaign_idx ON chat2desk_request_ledger (campaign_id) WHERE campaign_id <> ''`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE chat2desk_request_ledger`);
    await queryRunner.query(`DROP TABLE chat2desk_rate_limit`);
    await queryRunner.query(`DROP TABLE chat2desk_quota_month`);
  }
}
