import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `metric_snapshots`: the database-wide gauges of /metrics (recipients by state, quota remaining),
 * one row per gauge holding all its series, written by one instance at a time every
 * METRICS_SNAPSHOT_INTERVAL_MS, so a scrape reads a few rows instead of counting campaign_recipients.
 * `series` is a JSON array of `{"labels": {…}, "value": n}`; an empty array is a gauge that was
 * computed and has no series (an unlimited quota), a missing row one never computed.
 */
export class MetricSnapshots1764300000002 implements MigrationInterface {
  name = 'MetricSnapshots1764300000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE metric_snapshots (
        name text PRIMARY KEY,
        series jsonb NOT NULL CHECK (jsonb_typeof(series) = 'array'),
        computed_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE metric_snapshots`);
  }
}
