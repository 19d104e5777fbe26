import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Database } from '../../database/database';
import { Sql, sqlFromClient } from '../../database/sql';
import { CONTACT_COLUMNS, STAGING_COLUMNS } from './contacts-file-parser';
import type { ContactImport, ImportMode, RejectedRow } from './import.types';

export type NewImportRow = Pick<
  ContactImport,
  | 'listId'
  | 'uploadId'
  | 'originalName'
  | 'fileBytes'
  | 'defaultCountry'
  | 'mode'
  | 'phoneColumn'
  | 'nameColumn'
>;

export interface ImportCounts {
  rows: number;
  imported: number;
  updated: number;
  duplicates: number;
  invalid: number;
}

/** bigint columns come back from pg as strings. */
type ImportRow = Omit<ContactImport, 'fileBytes' | 'progressBytes'> & {
  fileBytes: string;
  progressBytes: string;
};

const IMPORT_COLUMNS = `id, list_id AS "listId", status, upload_id AS "uploadId", original_name AS "originalName",
  file_bytes AS "fileBytes", default_country AS "defaultCountry", mode, phone_column AS "phoneColumn",
  name_column AS "nameColumn", header, rows, imported, updated, duplicates, invalid,
  progress_rows AS "progressRows", progress_bytes AS "progressBytes", attempts, error,
  created_at AS "createdAt", updated_at AS "updatedAt", started_at AS "startedAt", finished_at AS "finishedAt"`;

/** Advisory-lock namespaces (transaction-level): claims are made one at a time; one list takes one import at a time. */
const CLAIM_LOCK = 7301;
const LIST_LOCK = 7302;

/** A job that is queued, or running under a lease that lapsed (its process died), in a list no live attempt is importing into. */
const CLAIMABLE = `(j.status = 'queued' OR (j.status = 'running' AND j.lease_expires_at < now()))
  AND NOT EXISTS (
    SELECT 1 FROM contact_imports r
    WHERE r.list_id = j.list_id AND r.id <> j.id AND r.status = 'running' AND r.lease_expires_at >= now()
  )`;

/** Dropped with the transaction: a crashed attempt leaves nothing behind. */
const CREATE_STAGING_SQL = `
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

const COPY_STAGING_SQL = `COPY import_staging (${STAGING_COLUMNS.join(', ')}) FROM STDIN`;
const COPY_CONTACTS_SQL = `COPY contacts (${CONTACT_COLUMNS.join(', ')}) FROM STDIN`;

/** `contact_imports` and their rejected rows, and an attempt's writes into `contacts` (COPY, staging, merge). */
@Injectable()
export class ImportStore {
  constructor(private readonly database: Database) {}

  async insert(job: NewImportRow): Promise<ContactImport> {
    const [row] = await this.database.sql<ImportRow>(
      `WITH inserted AS (
         INSERT INTO contact_imports
           (list_id, status, upload_id, original_name, file_bytes, default_country, mode, phone_column, name_column)
         VALUES ($1, 'queued', $2, $3, $4, $5, $6, $7, $8)
         RETURNING *
       )
       SELECT ${IMPORT_COLUMNS} FROM inserted`,
      [
        job.listId,
        job.uploadId,
        job.originalName,
        job.fileBytes,
        job.defaultCountry,
        job.mode,
        job.phoneColumn,
        job.nameColumn,
      ],
    );
    return toContactImport(row);
  }

  async findById(id: string): Promise<ContactImport | null> {
    const [row] = await this.database.sql<ImportRow>(
      `SELECT ${IMPORT_COLUMNS} FROM contact_imports WHERE id = $1`,
      [id],
    );
    return row ? toContactImport(row) : null;
  }

  /** A list's import history, newest first. */
  async listForList(listId: string): Promise<ContactImport[]> {
    const rows = await this.database.sql<ImportRow>(
      `SELECT ${IMPORT_COLUMNS} FROM contact_imports WHERE list_id = $1 ORDER BY created_at DESC`,
      [listId],
    );
    return rows.map(toContactImport);
  }

  /** Up to `limit` rejected rows after line `afterLine`, in line order. */
  rejectedRows(importId: string, afterLine: number, limit: number): Promise<RejectedRow[]> {
    return this.database.sql<RejectedRow>(
      `SELECT line, kind, reason, original_values AS "originalValues" FROM contact_import_rejections
       WHERE import_id = $1 AND line > $2 ORDER BY line LIMIT $3`,
      [importId, afterLine, limit],
    );
  }

  /**
   * Claims the oldest claimable job (or the job `id`) for `owner` under a lease of `leaseMs`: it
   * becomes `running` with a new attempt, committed at once so every instance sees it. Claims are
   * serialised by a transaction-level advisory lock (a busy lock means "try again next round"), so
   * two instances never start two imports into one list. Null when nothing is claimable.
   */
  claim(owner: string, leaseMs: number, id?: string): Promise<ContactImport | null> {
    return this.database.transaction(async (sql) => {
      const [{ locked }] = await sql<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        CLAIM_LOCK,
      ]);
      if (!locked) return null;
      const [row] = await sql<ImportRow>(
        `WITH claimed AS (
           UPDATE contact_imports
           SET status = 'running', attempts = attempts + 1, started_at = clock_timestamp(), finished_at = NULL,
               error = NULL, progress_rows = 0, progress_bytes = 0, updated_at = clock_timestamp(),
               lease_owner = $1, lease_expires_at = now() + $2 * interval '1 millisecond'
           WHERE id = (
             SELECT j.id FROM contact_imports j
             WHERE ${CLAIMABLE} AND ($3::uuid IS NULL OR j.id = $3)
             ORDER BY j.created_at LIMIT 1 FOR UPDATE SKIP LOCKED
           )
           RETURNING *
         )
         SELECT ${IMPORT_COLUMNS} FROM claimed`,
        [owner, leaseMs, id ?? null],
      );
      return row ? toContactImport(row) : null;
    });
  }

  /** Extends the lease while the attempt runs; false once another owner has the job. */
  async renewLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const renewed = await this.database.sql(
      `UPDATE contact_imports SET lease_expires_at = now() + $3 * interval '1 millisecond'
       WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING 1`,
      [id, owner, leaseMs],
    );
    return renewed.length > 0;
  }

  /** Gives a claimed job back to the queue (shutdown, or its list was busy): any instance takes it next. */
  async release(id: string, owner: string): Promise<void> {
    await this.database.sql(
      `UPDATE contact_imports SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL,
              progress_rows = 0, progress_bytes = 0, updated_at = clock_timestamp()
       WHERE id = $1 AND lease_owner = $2 AND status = 'running'`,
      [id, owner],
    );
  }

  /** Parse progress, outside the attempt's transaction (for progress bars). */
  async recordProgress(id: string, owner: string, rows: number, bytes: number): Promise<void> {
    await this.database.sql(
      `UPDATE contact_imports SET progress_rows = $3, progress_bytes = $4 WHERE id = $1 AND lease_owner = $2`,
      [id, owner, rows, bytes],
    );
  }

  /**
   * Fails the attempt `owner` holds and detaches its upload, returned for deletion (an upload no job
   * refers to is deleted later anyway); undefined when another owner has the job.
   */
  async markFailed(
    id: string,
    owner: string,
    error: string,
  ): Promise<{ uploadId: string | null } | undefined> {
    const [failed] = await this.database.sql<{ uploadId: string | null }>(
      `UPDATE contact_imports j
         SET status = 'failed', error = $3, finished_at = clock_timestamp(), updated_at = clock_timestamp(),
             lease_owner = NULL, lease_expires_at = NULL, upload_id = NULL
         FROM (SELECT id, upload_id FROM contact_imports WHERE id = $1) prior
         WHERE j.id = prior.id AND j.lease_owner = $2 AND j.status = 'running'
         RETURNING prior.upload_id AS "uploadId"`,
      [id, owner, error],
    );
    return failed;
  }

  /**
   * Runs `work` in one transaction on a connection of its own (COPY streams need the driver's
   * client); commits when it resolves, rolls back when it throws.
   */
  attempt<T>(work: (attempt: ImportAttempt) => Promise<T>): Promise<T> {
    return this.database.connection(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(new ImportAttempt(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }
}

/** The attempt's lease lapsed and another instance claimed the job: this attempt rolls back. */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`Import ${jobId} was taken over by another instance; this attempt rolls back`);
  }
}

/** The statements of one import attempt, all in its transaction. */
export class ImportAttempt {
  private readonly sql: Sql;

  constructor(private readonly client: PoolClient) {
    this.sql = sqlFromClient(client);
  }

  /**
   * One import into a list at a time, for as long as this transaction lives. Never waits: an attempt
   * that finds the list busy (an earlier attempt whose lease lapsed is still running) gives the job back.
   */
  async tryLockList(listId: string): Promise<boolean> {
    const [{ locked }] = await this.sql<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked',
      [LIST_LOCK, listId],
    );
    return locked;
  }

  async createStaging(): Promise<void> {
    await this.sql(CREATE_STAGING_SQL);
  }

  async listIsEmpty(listId: string): Promise<boolean> {
    return (await this.sql('SELECT 1 FROM contacts WHERE list_id = $1 LIMIT 1', [listId])).length === 0;
  }

  /** COPY text rows straight into `contacts`; returns the rows PostgreSQL stored. */
  copyContacts(bytes: Uint8Array): Promise<number> {
    return this.copy(COPY_CONTACTS_SQL, bytes);
  }

  /** COPY text rows into the staging table. */
  copyStaging(bytes: Uint8Array): Promise<number> {
    return this.copy(COPY_STAGING_SQL, bytes);
  }

  /**
   * Moves the staged rows into the list in set-based statements (no row-by-row work), stores the
   * rejected rows, and counts everything from the database itself so the numbers always add up.
   * `copiedContacts` is set when accepted rows were copied straight into the (empty) list: the rows
   * PostgreSQL reported for those COPY statements.
   */
  async mergeStaged(
    job: Pick<ContactImport, 'id' | 'listId' | 'mode'>,
    copiedContacts?: number,
  ): Promise<ImportCounts> {
    const { id: importId, listId, mode } = job;
    await this.sql('ANALYZE import_staging');
    let imported = copiedContacts ?? 0;
    let updated = 0;
    if (copiedContacts === undefined) {
      if (mode === 'skip') await this.markRowsAlreadyInList(listId);
      ({ imported, updated } = await this.upsertContacts(listId, mode));
    } else {
      // copiedContacts is what PostgreSQL reported for the COPY statements (checked against the parser's count).
      await this.flagOptedOut(listId);
    }
    await this.sql(
      `INSERT INTO contact_import_rejections (import_id, line, kind, reason, original_values)
       SELECT $1, line, kind, reason, raw FROM import_staging WHERE kind IS NOT NULL`,
      [importId],
    );
    const [totals] = await this.sql<{ rows: number; duplicates: number; invalid: number }>(
      `SELECT count(*)::int AS rows,
              count(*) FILTER (WHERE kind = 'duplicate')::int AS duplicates,
              count(*) FILTER (WHERE kind = 'invalid')::int AS invalid
       FROM import_staging`,
    );
    const counts = { ...totals, imported, updated };
    counts.rows += copiedContacts ?? 0;
    if (counts.rows !== counts.imported + counts.updated + counts.duplicates + counts.invalid) {
      throw new Error(`Import accounting does not add up: ${JSON.stringify(counts)}`);
    }
    return counts;
  }

  /**
   * Completes the job with the attempt's writes — only while `owner` still holds it: an attempt that
   * lost its lease must not commit, the new holder imports the file again. Returns the upload it
   * detached, for deletion. The finish time is the wall clock (clock_timestamp), not the
   * transaction's start.
   */
  async markCompleted(
    jobId: string,
    owner: string,
    counts: ImportCounts,
    header: string[],
  ): Promise<{ uploadId: string | null }> {
    const [completed] = await this.sql<{ uploadId: string | null }>(
      `UPDATE contact_imports j
       SET status = 'completed', rows = $3, imported = $4, updated = $5, duplicates = $6, invalid = $7, header = $8,
           progress_rows = $3, finished_at = clock_timestamp(), updated_at = clock_timestamp(),
           lease_owner = NULL, lease_expires_at = NULL, upload_id = NULL
       FROM (SELECT id, upload_id FROM contact_imports WHERE id = $1) prior
       WHERE j.id = prior.id AND j.lease_owner = $2 AND j.status = 'running'
       RETURNING prior.upload_id AS "uploadId"`,
      [
        jobId,
        owner,
        counts.rows,
        counts.imported,
        counts.updated,
        counts.duplicates,
        counts.invalid,
        JSON.stringify(header),
      ],
    );
    if (!completed) throw new LeaseLostError(jobId);
    return completed;
  }

  /** One COPY statement per batch: the connection is free again between batches, so errors roll back cleanly. */
  private async copy(sql: string, bytes: Uint8Array): Promise<number> {
    const copy = this.client.query(copyFrom(sql));
    await pipeline(Readable.from([bytes]), copy);
    // The rows PostgreSQL reports for the statement ("COPY n").
    return copy.rowCount;
  }

  /** Copied contacts whose phone is in the opt-out register. */
  private async flagOptedOut(listId: string): Promise<void> {
    await this.sql(
      `UPDATE contacts c SET opted_out = true FROM opt_outs o WHERE c.list_id = $1 AND c.phone = o.phone AND NOT c.opted_out`,
      [listId],
    );
  }

  private async markRowsAlreadyInList(listId: string): Promise<void> {
    await this.sql(
      `UPDATE import_staging s SET kind = 'duplicate', reason = 'already in the list (mode skip)'
       FROM contacts c
       WHERE c.list_id = $1 AND c.phone = s.phone AND s.kind IS NULL`,
      [listId],
    );
  }

  private async upsertContacts(
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
    const [result] = await this.sql<{ imported: number; updated: number }>(
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
    return result;
  }
}

function toContactImport(row: ImportRow): ContactImport {
  return { ...row, fileBytes: Number(row.fileBytes), progressBytes: Number(row.progressBytes) };
}
