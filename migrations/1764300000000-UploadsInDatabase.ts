import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Uploaded files live in PostgreSQL (chunks of bytea) instead of the receiving node's disk, and an
 * import job is claimed under a lease like recipients, so any instance can run or resume it.
 * Jobs still unfinished at the upgrade point at a file on some node's disk: they are failed with a
 * message asking for the file again (imports take seconds, so this is rare).
 */
export class UploadsInDatabase1764300000000 implements MigrationInterface {
  name = 'UploadsInDatabase1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE import_uploads (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        bytes bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE import_upload_chunks (
        upload_id uuid NOT NULL REFERENCES import_uploads (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        data bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (upload_id, seq)
      )`);
    await queryRunner.query(`
      UPDATE contact_imports
      SET status = 'failed', finished_at = now(), updated_at = now(),
          error = 'The import was interrupted by an upgrade of the service; upload the file again'
      WHERE status IN ('queued', 'running')`);
    await queryRunner.query(`
      ALTER TABLE contact_imports
        DROP COLUMN file_path,
        ADD COLUMN upload_id uuid REFERENCES import_uploads (id) ON DELETE SET NULL,
        ADD COLUMN lease_owner uuid,
        ADD COLUMN lease_expires_at timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE contact_imports
      SET status = 'failed', finished_at = now(), updated_at = now(),
          error = 'The import was interrupted by a downgrade of the service; upload the file again'
      WHERE status IN ('queued', 'running')`);
    await queryRunner.query(`
      ALTER TABLE contact_imports
        DROP COLUMN upload_id,
        DROP COLUMN lease_owner,
        DROP COLUMN lease_expires_at,
        ADD COLUMN file_path text NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE contact_imports ALTER COLUMN file_path DROP DEFAULT`);
    await queryRunner.query(`DROP TABLE import_upload_chunks`);
    await queryRunner.query(`DROP TABLE import_uploads`);
  }
}
