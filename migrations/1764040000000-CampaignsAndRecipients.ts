import { MigrationInterface, QueryRunner } from 'typeorm';

/** Campaigns, their runs (one per occurrence), one row per recipient, and the phone → Chat2Desk client cache. */
export class CampaignsAndRecipients1764040000000 implements MigrationInterface {
  name = 'CampaignsAndRecipients1764040000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        list_id uuid NOT NULL,
        contact_filter jsonb NOT NULL DEFAULT '{}',
        text text,
        template_id bigint,
        transport text NOT NULL,
        channel_id bigint NOT NULL,
        state text NOT NULL DEFAULT 'draft',
        state_reason text,
        scheduled_at timestamptz,
        timezone text NOT NULL DEFAULT 'UTC',
        cron text,
        send_window jsonb,
        expires_after_minutes integer,
        allow_partial boolean NOT NULL DEFAULT false,
        forecast jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        CONSTRAINT campaigns_message_present CHECK (text IS NOT NULL OR template_id IS NOT NULL)
      )`);
    await queryRunner.query(`CREATE INDEX campaigns_state_idx ON campaigns (state, scheduled_at)`);

    await queryRunner.query(`
      CREATE TABLE campaign_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        occurrence_at timestamptz NOT NULL,
        state text NOT NULL DEFAULT 'preparing',
        message_text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        UNIQUE (campaign_id, occurrence_at)
      )`);

    await queryRunner.query(`
      CREATE TABLE campaign_recipients (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES campaign_runs(id) ON DELETE CASCADE,
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        contact_id bigint,
        phone text NOT NULL,
        name text,
        country text,
        text text,
        state text NOT NULL DEFAULT 'pending',
        reason text,
        attempts integer NOT NULL DEFAULT 0,
        attempt_id uuid,
        attempt_started_at timestamptz,
        lease_owner text,
        lease_expires_at timestamptz,
        next_attempt_at timestamptz,
        last_error_class text,
        last_error_message text,
        chat2desk_client_id bigint,
        chat2desk_message_id bigint,
        raw_status text,
        sent_at timestamptz,
        delivered_at timestamptz,
        read_at timestamptz,
        failed_at timestamptz,
        status_checked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (run_id, phone)
      )`);
    await queryRunner.query(
      `CREATE INDEX campaign_recipients_campaign_state_idx ON campaign_recipients (campaign_id, state)`,
    );
    await queryRunner.query(
      `CREATE INDEX campaign_recipients_due_idx ON campaign_recipients (state, next_attempt_at) WHERE state IN ('pending', 'resolving', 'waiting_ready', 'ready', 'sending')`,
    );
    await queryRunner.query(
      `CREATE INDEX campaign_recipients_message_idx ON campaign_recipients (chat2desk_message_id) WHERE chat2desk_message_id IS NOT NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE chat2desk_clients (
        phone text NOT NULL,
        transport text NOT NULL,
        channel_id bigint NOT NULL,
        client_id bigint NOT NULL,
        created_by_us boolean NOT NULL DEFAULT false,
        ready_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (phone, transport, channel_id)
      )`);
    await queryRunner.query(`CREATE INDEX chat2desk_clients_client_idx ON chat2desk_clients (client_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE chat2desk_clients`);
    await queryRunner.query(`DROP TABLE campaign_recipients`);
    await queryRunner.query(`DROP TABLE campaign_runs`);
    await queryRunner.query(`DROP TABLE campaigns`);
  }
}
