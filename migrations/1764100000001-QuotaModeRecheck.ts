import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * - `service_exhausted_at`: Chat2Desk itself answered "API calls exceeded API limit per month" this
 *   month although our count had room; until a request succeeds again, the month counts as spent here
 *   too, so no instance spends a batch to find out again.
 * - `mode_checked_at`: when api_info was last re-read for campaigns paused for quota; one conditional
 *   update on it elects the single instance that spends that request (at most one per interval in all).
 */
export class QuotaModeRecheck1764100000001 implements MigrationInterface {
  name = 'QuotaModeRecheck1764100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE chat2desk_quota_month ADD COLUMN service_exhausted_at timestamptz, ADD COLUMN mode_checked_at timestamptz`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE chat2desk_quota_month DROP COLUMN service_exhausted_at, DROP COLUMN mode_checked_at`,
    );
  }
}
