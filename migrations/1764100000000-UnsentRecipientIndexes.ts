import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the operator actions that reach running campaigns: an opt-out skips every unsent
 * recipient with that phone (across all runs), and the scheduler settles rows left unsent in runs
 * that already ended. Both touch only rows waiting to be sent, so the indexes are partial.
 */
export class UnsentRecipientIndexes1764100000000 implements MigrationInterface {
  name = 'UnsentRecipientIndexes1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX campaign_recipients_unsent_phone_idx ON campaign_recipients (phone) WHERE state IN ('pending', 'waiting_ready', 'ready')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX campaign_recipients_unsent_phone_idx`);
  }
}
