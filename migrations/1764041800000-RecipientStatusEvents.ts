import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every delivery-status transition of a recipient with its time and source (poll or webhook), and the
 * partial index the status tracker walks: only messages still in flight (`sent`) are in it.
 */
export class RecipientStatusEvents1764041800000 implements MigrationInterface {
  name = 'RecipientStatusEvents1764041800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE recipient_status_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        recipient_id bigint NOT NULL REFERENCES campaign_recipients(id) ON DELETE CASCADE,
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        at timestamptz NOT NULL,
        from_state text NOT NULL,
        to_state text NOT NULL,
        raw_status text,
        source text NOT NULL CHECK (source IN ('poll', 'webhook', 'deadline'))
      )`);
    await queryRunner.query(
      `CREATE INDEX recipient_status_events_recipient_idx ON recipient_status_events (recipient_id, at)`,
    );
    await queryRunner.query(
      `CREATE INDEX recipient_status_events_campaign_idx ON recipient_status_events (campaign_id, at)`,
    );
    await queryRunner.query(
      `CREATE INDEX campaign_recipients_in_flight_idx ON campaign_recipients (chat2desk_message_id) WHERE state = 'sent' AND chat2desk_message_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX campaign_recipients_in_flight_age_idx ON campaign_recipients (sent_at) WHERE state = 'sent'`,
    );
    // Keyset pages of one campaign's recipients (the CSV export, the recipients list) in id order.
    await queryRunner.query(
      `CREATE INDEX campaign_recipients_campaign_id_idx ON campaign_recipients (campaign_id, id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX campaign_recipients_campaign_id_idx`);
    await queryRunner.query(`DROP INDEX campaign_recipients_in_flight_age_idx`);
    await queryRunner.query(`DROP INDEX campaign_recipients_in_flight_idx`);
    await queryRunner.query(`DROP TABLE recipient_status_events`);
  }
}
