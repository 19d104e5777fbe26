import type { PoolClient } from 'pg';
import { ContactImport, ImportMode } from '../entities/contact-import.entity';
import { CONTACT_COLUMNS, STAGING_COLUMNS } from './contacts-file-parser';

export interface ImportCounts {
  rows: number;
  imported: number;
  updated: number;
  duplicates: number;
  invalid: number;
}

/** Dropped with the transaction: a crashed attempt leaves nothing behind. */
export const CREATE_STAGING_SQL = `
  CREATE TEMP TABLE import_staging (
    line integer NOT NULL,
    phone text,
    name text,
    attributes jsonb,
    phone_type text,
    country text,
    kind text,
    reason text,
    raw jsonb
  ) ON COMMIT DROP`;

export const COPY_STAGING_SQL = `COPY import_staging (${STAGING_COLUMNS.join(', ')}) FROM STDIN`;
export const COPY_CONTACTS_SQL = `COPY contacts (${CONTACT_COLUMNS.join(', ')}) FROM STDIN`;

/**
 * Moves the staged rows into the list in set-based statements (no row-by-row work), stores the
 * rejected rows, and counts everything from the database itself so the numbers always add up.
 * `copiedContacts` is set when accepted rows were copied straight into the (empty) list: the rows
 * PostgreSQL reported for those COPY statements.
 */
export async function mergeStagedContacts(
  client: PoolClient,
  job: ContactImport,
  copiedContacts?: number,
): Promise<ImportCounts> {
  const { id: importId, listId, mode } = job;
  await client.query('ANALYZE import_staging');
  let imported = copiedContacts ?? 0;
  let updated = 0;
  if (copiedContacts === undefined) {
    if (mode === 'skip') await markRowsAlreadyInList(client, listId);
    ({ imported, updated } = await upsertContacts(client, listId, mode));
  } else {
    // copiedContacts is what PostgreSQL reported for the COPY statements (checked against the parser's count).
    await flagOptedOut(client, listId);
  }
  await client.query(
    `INSERT INTO contact_import_rejections (import_id, line, kind, reason, original_values)
     SELECT $1, line, kind, reason, raw FROM import_staging WHERE kind IS NOT NULL`,
    [importId],
  );
  const totals = await client.query<{ rows: number; duplicates: number; invalid: number }>(
    `SELECT count(*)::int AS rows,
            count(*) FILTER (WHERE kind = 'duplicate')::int AS duplicates,
            count(*) FILTER (WHERE kind = 'invalid')::int AS invalid
     FROM import_staging`,
  );
  const counts = { ...totals.rows[0], imported, updated };
  counts.rows += copiedContacts ?? 0;
  if (counts.rows !== counts.imported + counts.updated + counts.duplicates + counts.invalid) {
    throw new Error(`Import accounting does not add up: ${JSON.stringify(counts)}`);
  }
  return counts;
}

/** Copied contacts whose phone is in the opt-out register. */
async function flagOptedOut(client: PoolClient, listId: string): Promise<void> {
  await client.query(
    `UPDATE contacts c SET opted_out = true FROM opt_outs o WHERE c.list_id = $1 AND c.phone = o.phone AND NOT c.opted_out`,
    [listId],
  );
}

async function markRowsAlreadyInList(client: PoolClient, listId: string): Promise<void> {
  await client.query(
    `UPDATE import_staging s SET kind = 'duplicate', reason = 'already in the list (mode skip)'
     FROM contacts c
     WHERE c.list_id = $1 AND c.phone = s.phone AND s.kind IS NULL`,
    [listId],
  );
}

async function upsertContacts(
  client: PoolClient,
  listId: string,
  mode: ImportMode,
): Promise<{ imported: number; updated: number }> {
  // update: the file's name wins when present, attributes merge (file values win), opt-outs stick.
  const onConflict =
    mode === 'update'
      ? `DO UPDATE SET name = COALESCE(EXCLUDED.name, contacts.name),
                       attributes = contacts.attributes || EXCLUDED.attributes,
                       phone_type = EXCLUDED.phone_type,
                       country = EXCLUDED.country,
                       opted_out = contacts.opted_out OR EXCLUDED.opted_out,
                       updated_at = now()`
      : 'DO NOTHING';
  const result = await client.query<{ imported: number; updated: number }>(
    `WITH merged AS (
       INSERT INTO contacts (list_id, phone, name, attributes, phone_type, country, opted_out)
       SELECT $1, s.phone, s.name, s.attributes, s.phone_type, s.country, o.phone IS NOT NULL
       FROM import_staging s LEFT JOIN opt_outs o ON o.phone = s.phone
       WHERE s.kind IS NULL
       ON CONFLICT (list_id, phone) ${onConflict}
       RETURNING (xmax = 0) AS inserted
     )
     SELECT count(*) FILTER (WHERE inserted)::int AS imported, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM merged`,
    [listId],
  );
  return result.rows[0];
}
