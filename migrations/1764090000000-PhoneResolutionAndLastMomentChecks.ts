import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Phones, not recipients, are prepared (one resolution per phone/transport/channel in flight, whatever
 * number of campaigns want it); creation intents are recorded before `POST /v1/clients`; a Chat2Desk
 * message belongs to one recipient; claims touch only rows of running runs; an optional frequency cap.
 */
export class PhoneResolutionAndLastMomentChecks1764090000000 implements MigrationInterface {
  name = 'PhoneResolutionAndLastMomentChecks1764090000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE client_resolutions (
        phone text NOT NULL,
        transport text NOT NULL,
        channel_id bigint NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_owner text,
        lease_expires_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (phone, transport, channel_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX client_resolutions_due_idx ON client_resolutions (transport, channel_id, next_attempt_at)`,
    );
    // One row per phone: the latest moment we asked Chat2Desk to create a client for it, on any channel.
    await queryRunner.query(`
      CREATE TABLE client_creation_intents (
        phone text PRIMARY KEY,
        transport text NOT NULL,
        channel_id bigint NOT NULL,
        started_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE client_sync_jobs (
        transport text NOT NULL,
        channel_id bigint NOT NULL,
        next_offset integer NOT NULL DEFAULT 0,
        total integer,
        state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done')),
        lease_owner text,
        lease_expires_at timestamptz,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        PRIMARY KEY (transport, channel_id)
      )`);
    await queryRunner.query(
      `UPDATE campaign_recipients SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL WHERE state = 'resolving'`,
    );
    await queryRunner.query(`ALTER TABLE campaigns ADD COLUMN frequency_cap_hours integer`);
    await queryRunner.query(`DROP INDEX campaign_recipients_message_idx`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX campaign_recipients_message_key ON campaign_recipients (chat2desk_message_id) WHERE chat2desk_message_id IS NOT NULL`,
    );
    // The claim walks running runs and, per run, only its due `ready` rows: paused rows are never read.
    await queryRunner.query(
      `CREATE INDEX campaign_recipients_claimable_idx ON campaign_recipients (run_id, next_attempt_at) WHERE state = 'ready'`,
    );
    // The frequency cap and opt-outs ask "what did this phone get lately / what is still unsent for it".
    await queryRunner.query(
      `CREATE INDEX campaign_recipients_phone_sent_idx ON campaign_recipients (phone, sent_at) WHERE sent_at IS NOT NULL OR state = 'sending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX campaign_recipients_phone_sent_idx`);
    await queryRunner.query(`DROP INDEX campaign_recipients_claimable_idx`);
    await queryRunner.query(`DROP INDEX campaign_recipients_message_key`);
    await queryRunner.query(
      `CREATE INDEX campaign_recipients_message_idx ON campaign_recipients (chat2desk_message_id) WHERE chat2desk_message_id IS NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE campaigns DROP COLUMN frequency_cap_hours`);
    await queryRunner.query(`DROP TABLE client_sync_jobs`);
    await queryRunner.query(`DROP TABLE client_creation_intents`);
    await queryRunner.query(`DROP TABLE client_resolutions`);
  }
}
