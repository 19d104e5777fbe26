import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contact and opted-out counts per list, kept by PostgreSQL itself so that `GET /api/lists` reads a
 * few rows instead of counting `contacts` (a million rows took 19 s at p50 under 200 requests).
 *
 * Statement-level AFTER triggers with transition tables on `contacts` (INSERT — COPY included —,
 * UPDATE, DELETE — list deletion's cascade included) add one row per list touched to
 * `contact_list_count_deltas`; they never update a shared row, so an import's long transaction does
 * not block an opt-out in the same list. A list's counts are the sums of its rows; a periodic
 * compaction (`ContactListStore.compactCounts`) folds them into one row per list.
 *
 * No foreign key to `contact_lists`: its check would lock the list row (FOR KEY SHARE) from the
 * trigger of an opt-out's UPDATE, which deadlocks against a concurrent deletion of that list (the
 * deletion holds the list row and waits for the contact rows the opt-out holds). The triggers skip
 * lists that are gone instead, the list deletion removes its rows, and compaction drops any left over.
 */
export class ListCountDeltas1764300000001 implements MigrationInterface {
  name = 'ListCountDeltas1764300000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE contact_list_count_deltas (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        list_id uuid NOT NULL,
        contacts bigint NOT NULL,
        opted_out bigint NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX contact_list_count_deltas_list_idx ON contact_list_count_deltas (list_id)`,
    );

    // One function for the three triggers (each names its transition tables new_rows / old_rows).
    // UPDATE nets old against new per list, so rows whose list and flag did not change add nothing.
    await queryRunner.query(`
      CREATE FUNCTION contact_list_count_deltas_capture() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO contact_list_count_deltas (list_id, contacts, opted_out)
          SELECT d.list_id, d.contacts, d.opted_out
          FROM (SELECT list_id, count(*) AS contacts, count(*) FILTER (WHERE opted_out) AS opted_out
                FROM new_rows GROUP BY list_id) d
          WHERE EXISTS (SELECT 1 FROM contact_lists l WHERE l.id = d.list_id);
        ELSIF TG_OP = 'DELETE' THEN
          INSERT INTO contact_list_count_deltas (list_id, contacts, opted_out)
          SELECT d.list_id, -d.contacts, -d.opted_out
          FROM (SELECT list_id, count(*) AS contacts, count(*) FILTER (WHERE opted_out) AS opted_out
                FROM old_rows GROUP BY list_id) d
          WHERE EXISTS (SELECT 1 FROM contact_lists l WHERE l.id = d.list_id);
        ELSIF TG_OP = 'UPDATE' THEN
          INSERT INTO contact_list_count_deltas (list_id, contacts, opted_out)
          SELECT d.list_id, d.contacts, d.opted_out
          FROM (SELECT list_id, sum(contacts) AS contacts, sum(opted_out) AS opted_out
                FROM (SELECT list_id, 1 AS contacts, opted_out::int AS opted_out FROM new_rows
                      UNION ALL
                      SELECT list_id, -1, -(opted_out::int) FROM old_rows) changes
                GROUP BY list_id) d
          WHERE (d.contacts <> 0 OR d.opted_out <> 0)
            AND EXISTS (SELECT 1 FROM contact_lists l WHERE l.id = d.list_id);
        ELSIF TG_OP = 'TRUNCATE' THEN
          DELETE FROM contact_list_count_deltas;
        END IF;
        RETURN NULL;
      END
      $$`);

    // The triggers come before the backfill: creating them takes a lock on contacts that waits for the
    // writers in flight and holds back new ones until this transaction commits, so the count below
    // sees every committed row and every later write goes through the triggers.
    await queryRunner.query(`
      CREATE TRIGGER contacts_count_insert AFTER INSERT ON contacts
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION contact_list_count_deltas_capture()`);
    await queryRunner.query(`
      CREATE TRIGGER contacts_count_update AFTER UPDATE ON contacts
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION contact_list_count_deltas_capture()`);
    await queryRunner.query(`
      CREATE TRIGGER contacts_count_delete AFTER DELETE ON contacts
      REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION contact_list_count_deltas_capture()`);
    await queryRunner.query(`
      CREATE TRIGGER contacts_count_truncate AFTER TRUNCATE ON contacts
      FOR EACH STATEMENT EXECUTE FUNCTION contact_list_count_deltas_capture()`);

    await queryRunner.query(`
      INSERT INTO contact_list_count_deltas (list_id, contacts, opted_out)
      SELECT list_id, count(*), count(*) FILTER (WHERE opted_out) FROM contacts GROUP BY list_id`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER contacts_count_truncate ON contacts`);
    await queryRunner.query(`DROP TRIGGER contacts_count_delete ON contacts`);
    await queryRunner.query(`DROP TRIGGER contacts_count_update ON contacts`);
    await queryRunner.query(`DROP TRIGGER contacts_count_insert ON contacts`);
    await queryRunner.query(`DROP FUNCTION contact_list_count_deltas_capture()`);
    await queryRunner.query(`DROP TABLE contact_list_count_deltas`);
  }
}
