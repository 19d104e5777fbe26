import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { mkdirSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { ContactListsService } from './contact-lists.service';
import { ContactImport, ImportMode } from './entities/contact-import.entity';
import { MalformedFileError } from './import/file-sniffer';
import { CopyBatch, ImportAbortedError, parseInWorker } from './import/parser-thread';
import {
  COPY_CONTACTS_SQL,
  COPY_STAGING_SQL,
  CREATE_STAGING_SQL,
  mergeStagedContacts,
} from './import/staging-merge';

export interface NewImport {
  listId: string;
  /** The file to import; files under the imports directory belong to the job and are deleted after it. */
  filePath: string;
  originalName: string;
  defaultCountry?: string | null;
  mode?: ImportMode;
  phoneColumn?: string | null;
  nameColumn?: string | null;
}

export interface ImportProgress {
  rows: number;
  bytesRead: number;
  totalBytes: number;
}

export interface RejectedRow {
  line: number;
  kind: 'invalid' | 'duplicate';
  reason: string;
  originalValues: string[];
}

const PROGRESS_EVERY_MS = 500;
const REJECTED_PAGE = 5_000;
/** Advisory-lock namespaces: one job runs once at a time, one list takes one import at a time. */
const JOB_LOCK = 7301;
const LIST_LOCK = 7302;

/**
 * Import jobs: a job is a row plus a file on disk. An attempt runs in one transaction (COPY of
 * each parsed batch into a temp staging table — or straight into an empty list — then a set-based
 * merge, counts, status), so a crash leaves no partial import and the job is simply run again from
 * its file: nothing is counted twice.
 */
@Injectable()
export class ImportService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ImportService.name);
  private readonly attempts = new Map<string, { abort: AbortController; done: Promise<ContactImport> }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly lists: ContactListsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // Absent when ContactsModule runs without the app (tests, benchmark).
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** Where uploads are stored until their job finishes. */
  get importsDir(): string {
    const dir = join(this.config.dataDir, 'imports');
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled) return;
    void this.resumeUnfinished().catch((error: unknown) =>
      this.logger.error(`Resuming imports failed: ${String(error)}`),
    );
  }

  /** Shutdown: stop the attempts in flight; they roll back and resume on the next start. */
  async onModuleDestroy(): Promise<void> {
    const running = [...this.attempts.values()];
    running.forEach((attempt) => attempt.abort.abort());
    await Promise.allSettled(running.map((attempt) => attempt.done));
  }

  async create(input: NewImport): Promise<ContactImport> {
    await this.lists.assertExists(input.listId);
    const { size } = await stat(input.filePath);
    const repository = this.dataSource.getRepository(ContactImport);
    return repository.save(
      repository.create({
        listId: input.listId,
        status: 'queued',
        filePath: resolve(input.filePath),
        originalName: input.originalName,
        fileBytes: size,
        defaultCountry: input.defaultCountry?.toUpperCase() ?? null,
        mode: input.mode ?? 'update',
        phoneColumn: input.phoneColumn ?? null,
        nameColumn: input.nameColumn ?? null,
      }),
    );
  }

  async get(id: string): Promise<ContactImport> {
    const job = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.dataSource.getRepository(ContactImport).findOneBy({ id })
      : null;
    if (!job) throw new NotFoundError('Import', id);
    return job;
  }

  /** A list's import history, newest first. */
  async listForList(listId: string): Promise<ContactImport[]> {
    await this.lists.assertExists(listId);
    return this.dataSource
      .getRepository(ContactImport)
      .find({ where: { listId }, order: { createdAt: 'DESC' } });
  }

  /** Starts the job in this process without waiting (the API answers 202 right away). */
  startInBackground(id: string): void {
    void this.run(id).catch((error: unknown) => this.logger.error(`Import ${id} crashed: ${String(error)}`));
  }

  /** Runs the job here and resolves with its final row (or its row as left, if another process has it). */
  run(id: string, onProgress?: (progress: ImportProgress) => void): Promise<ContactImport> {
    const existing = this.attempts.get(id);
    if (existing) return existing.done;
    const abort = new AbortController();
    const done = this.attempt(id, abort.signal, onProgress).finally(() => this.attempts.delete(id));
    this.attempts.set(id, { abort, done });
    return done;
  }

  /** Jobs left queued or running by a stopped process: run them again from their files. */
  async resumeUnfinished(): Promise<ContactImport[]> {
    const unfinished = await this.dataSource
      .getRepository(ContactImport)
      .find({ where: [{ status: 'queued' }, { status: 'running' }], order: { createdAt: 'ASC' } });
    const results: ContactImport[] = [];
    for (const job of unfinished) results.push(await this.run(job.id));
    return results;
  }

  /** Rejected rows in line order, read page by page so a big report never sits in memory. */
  async *rejectedRows(id: string): AsyncGenerator<RejectedRow> {
    await this.get(id);
    for (let afterLine = 0; ;) {
      const page: RejectedRow[] = await this.dataSource.query(
        `SELECT line, kind, reason, original_values AS "originalValues" FROM contact_import_rejections
         WHERE import_id = $1 AND line > $2 ORDER BY line LIMIT $3`,
        [id, afterLine, REJECTED_PAGE],
      );
      yield* page;
      if (page.length < REJECTED_PAGE) return;
      afterLine = page[page.length - 1].line;
    }
  }

  private async attempt(
    id: string,
    signal: AbortSignal,
    onProgress?: (progress: ImportProgress) => void,
  ): Promise<ContactImport> {
    const job = await this.get(id);
    if (job.status === 'completed' || job.status === 'failed') return job;
    const queryRunner = this.dataSource.createQueryRunner();
    const client = (await queryRunner.connect()) as PoolClient;
    try {
      await client.query('BEGIN');
      if (!(await this.claim(client, job))) {
        await client.query('ROLLBACK');
        return this.get(id);
      }
      await this.importInTransaction(client, job, signal, onProgress);
      await client.query('COMMIT');
      await this.removeOwnedFile(job);
      this.recordMetrics(await this.get(id));
    } catch (error) {
      this.metrics?.setImportRowsPerSecond(0);
      await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof ImportAbortedError) return this.get(id);
      await this.fail(job, error);
    } finally {
      await queryRunner.release();
    }
    return this.get(id);
  }

  /**
   * The transaction's advisory lock says "this attempt owns the job" for as long as it lives, so a
   * second process (or a resume at boot) never runs it twice; the status change is committed apart
   * so that readers see `running` at once.
   */
  private async claim(client: PoolClient, job: ContactImport): Promise<boolean> {
    const lock = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked',
      [JOB_LOCK, job.id],
    );
    if (!lock.rows[0].locked) return false;
    const [, claimed] = (await this.dataSource.query(
      `UPDATE contact_imports
       SET status = 'running', attempts = attempts + 1, started_at = now(), finished_at = NULL, error = NULL,
           progress_rows = 0, progress_bytes = 0, updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'running')`,
      [job.id],
    )) as [unknown, number];
    return claimed > 0;
  }

  private async importInTransaction(
    client: PoolClient,
    job: ContactImport,
    signal: AbortSignal,
    onProgress?: (progress: ImportProgress) => void,
  ): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LIST_LOCK, job.listId]);
    await client.query(CREATE_STAGING_SQL);
    // An empty list (the usual first import) needs no merge: rows go straight into contacts.
    const direct =
      (await client.query('SELECT 1 FROM contacts WHERE list_id = $1 LIMIT 1', [job.listId])).rowCount === 0;
    const progress = new ProgressReporter(this.dataSource, job, onProgress, this.metrics);
    let header: string[] = [];
    let copiedContacts = 0;
    const summary = await parseInWorker(
      {
        filePath: job.filePath,
        originalName: job.originalName,
        defaultCountry: job.defaultCountry,
        phoneColumn: job.phoneColumn,
        nameColumn: job.nameColumn,
        keepAcceptedRaw: job.mode === 'skip',
        directListId: direct ? job.listId : undefined,
      },
      {
        header: (columns) => void (header = columns),
        batch: async (batch: CopyBatch) => {
          if (batch.contacts) copiedContacts += await copyBytes(client, COPY_CONTACTS_SQL, batch.contacts);
          if (batch.staging) await copyBytes(client, COPY_STAGING_SQL, batch.staging);
          progress.add(batch);
        },
      },
      signal,
    );
    await progress.flush();
    if (direct && copiedContacts !== summary.accepted)
      throw new Error(`Parsed ${summary.accepted} contacts but PostgreSQL stored ${copiedContacts}`);
    const counts = await mergeStagedContacts(client, job, direct ? copiedContacts : undefined);
    if (counts.rows !== summary.rows)
      throw new Error(`Parsed ${summary.rows} rows but stored ${counts.rows}`);
    await client.query(
      `UPDATE contact_imports
       SET status = 'completed', rows = $2, imported = $3, updated = $4, duplicates = $5, invalid = $6, header = $7,
           progress_rows = $2, finished_at = now(), updated_at = now()
       WHERE id = $1`,
      [
        job.id,
        counts.rows,
        counts.imported,
        counts.updated,
        counts.duplicates,
        counts.invalid,
        JSON.stringify(header),
      ],
    );
  }

  /** Rows by result; the rows/s gauge shows the import running now, so it goes back to 0. */
  private recordMetrics(job: ContactImport): void {
    if (!this.metrics) return;
    this.metrics.addImportRows('imported', job.imported);
    this.metrics.addImportRows('updated', job.updated);
    this.metrics.addImportRows('duplicate', job.duplicates);
    this.metrics.addImportRows('invalid', job.invalid);
    this.metrics.setImportRowsPerSecond(0);
  }

  private async fail(job: ContactImport, error: unknown): Promise<void> {
    const message =
      error instanceof MalformedFileError
        ? error.message
        : `The import stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    if (!(error instanceof MalformedFileError))
      this.logger.error(`Import ${job.id}: ${error instanceof Error ? error.stack : String(error)}`);
    await this.dataSource.query(
      `UPDATE contact_imports SET status = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1`,
      [job.id, message],
    );
    await this.removeOwnedFile(job);
  }

  /** Uploads belong to their job; a file the CLI pointed at stays where it was. */
  private async removeOwnedFile(job: ContactImport): Promise<void> {
    if (relative(this.importsDir, job.filePath).startsWith('..')) return;
    await rm(job.filePath, { force: true });
  }
}

/** Publishes parse progress to the job row (outside the transaction) and to the caller. */
class ProgressReporter {
  private rows = 0;
  private bytesRead = 0;
  private lastWrite = 0;
  private readonly startedAt = Date.now();
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly job: ContactImport,
    private readonly onProgress?: (progress: ImportProgress) => void,
    private readonly metrics?: MetricsService,
  ) {}

  add(batch: CopyBatch): void {
    this.rows += batch.rows;
    this.bytesRead = batch.bytesRead;
    this.onProgress?.({ rows: this.rows, bytesRead: this.bytesRead, totalBytes: this.job.fileBytes });
    const now = Date.now();
    if (now - this.lastWrite < PROGRESS_EVERY_MS) return;
    this.lastWrite = now;
    if (now > this.startedAt)
      this.metrics?.setImportRowsPerSecond(Math.round((this.rows * 1000) / (now - this.startedAt)));
    this.pending = this.pending.then(() => this.write()).catch(() => undefined);
  }

  async flush(): Promise<void> {
    await this.pending;
    await this.write().catch(() => undefined);
  }

  private write(): Promise<unknown> {
    return this.dataSource.query(
      `UPDATE contact_imports SET progress_rows = $2, progress_bytes = $3 WHERE id = $1`,
      [this.job.id, this.rows, this.bytesRead],
    );
  }
}

/** One COPY statement per batch: the connection is free again between batches, so errors roll back cleanly. */
async function copyBytes(client: PoolClient, sql: string, bytes: Uint8Array): Promise<number> {
  const copy = client.query(copyFrom(sql));
  await pipeline(Readable.from([bytes]), copy);
  // The rows PostgreSQL reports for the statement ("COPY n").
  return copy.rowCount;
}
