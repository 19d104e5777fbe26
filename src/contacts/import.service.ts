import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { NotFoundError } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Observers } from '../common/observers';
import { ContactListsService } from './contact-lists.service';
import { MalformedFileError } from './import/file-sniffer';
import { ImportAttempt, ImportStore } from './import/import.store';
import type { ContactImport, ImportMode, RejectedRow } from './import/import.types';
import { CopyBatch, ImportAbortedError, parseInWorker } from './import/parser-thread';

export type ImportRowResult = 'imported' | 'updated' | 'duplicate' | 'invalid';

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

const PROGRESS_EVERY_MS = 500;
const REJECTED_PAGE = 5_000;

/**
 * Import jobs: a job is a row plus a file on disk. An attempt runs in one transaction (COPY of
 * each parsed batch into a temp staging table — or straight into an empty list — then a set-based
 * merge, counts, status), so a crash leaves no partial import and the job is simply run again from
 * its file: nothing is counted twice.
 */
@Injectable()
export class ImportService implements OnApplicationBootstrap, OnModuleDestroy {
  /** Rows of each completed job by result, for whoever observes imports (metrics). */
  readonly rowsProcessed = new Observers<{ result: ImportRowResult; count: number }>();
  /** Rows per second of the import running now; 0 when it ends. */
  readonly throughput = new Observers<number>();
  private readonly logger = new Logger(ImportService.name);
  private readonly attempts = new Map<string, { abort: AbortController; done: Promise<ContactImport> }>();

  constructor(
    private readonly store: ImportStore,
    private readonly lists: ContactListsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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
    return this.store.insert({
      listId: input.listId,
      filePath: resolve(input.filePath),
      originalName: input.originalName,
      fileBytes: size,
      defaultCountry: input.defaultCountry?.toUpperCase() ?? null,
      mode: input.mode ?? 'update',
      phoneColumn: input.phoneColumn ?? null,
      nameColumn: input.nameColumn ?? null,
    });
  }

  async get(id: string): Promise<ContactImport> {
    const job = /^[0-9a-f-]{36}$/i.test(id) ? await this.store.findById(id) : null;
    if (!job) throw new NotFoundError('Import', id);
    return job;
  }

  /** A list's import history, newest first. */
  async listForList(listId: string): Promise<ContactImport[]> {
    await this.lists.assertExists(listId);
    return this.store.listForList(listId);
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
    const unfinished = await this.store.findUnfinished();
    const results: ContactImport[] = [];
    for (const job of unfinished) results.push(await this.run(job.id));
    return results;
  }

  /** Rejected rows in line order, read page by page so a big report never sits in memory. */
  async *rejectedRows(id: string): AsyncGenerator<RejectedRow> {
    await this.get(id);
    for (let afterLine = 0; ;) {
      const page = await this.store.rejectedRows(id, afterLine, REJECTED_PAGE);
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
    try {
      // The job lock lives as long as the attempt's transaction; `running` is committed apart.
      const imported = await this.store.attempt(async (attempt) => {
        if (!(await attempt.lockJob(job.id)) || !(await this.store.markRunning(job.id))) return false;
        await this.importInTransaction(attempt, job, signal, onProgress);
        return true;
      });
      if (!imported) return this.get(id);
      await this.removeOwnedFile(job);
      this.announceRows(await this.get(id));
    } catch (error) {
      this.throughput.notify(0);
      if (error instanceof ImportAbortedError) return this.get(id);
      await this.fail(job, error);
    }
    return this.get(id);
  }

  private async importInTransaction(
    attempt: ImportAttempt,
    job: ContactImport,
    signal: AbortSignal,
    onProgress?: (progress: ImportProgress) => void,
  ): Promise<void> {
    await attempt.lockList(job.listId);
    await attempt.createStaging();
    // An empty list (the usual first import) needs no merge: rows go straight into contacts.
    const direct = await attempt.listIsEmpty(job.listId);
    const progress = new ProgressReporter(this.store, job, this.throughput, onProgress);
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
          if (batch.contacts) copiedContacts += await attempt.copyContacts(batch.contacts);
          if (batch.staging) await attempt.copyStaging(batch.staging);
          progress.add(batch);
        },
      },
      signal,
    );
    await progress.flush();
    if (direct && copiedContacts !== summary.accepted)
      throw new Error(`Parsed ${summary.accepted} contacts but PostgreSQL stored ${copiedContacts}`);
    const counts = await attempt.mergeStaged(job, direct ? copiedContacts : undefined);
    if (counts.rows !== summary.rows)
      throw new Error(`Parsed ${summary.rows} rows but stored ${counts.rows}`);
    await attempt.markCompleted(job.id, counts, header);
  }

  /** Rows by result; the rows/s gauge shows the import running now, so it goes back to 0. */
  private announceRows(job: ContactImport): void {
    this.rowsProcessed.notify({ result: 'imported', count: job.imported });
    this.rowsProcessed.notify({ result: 'updated', count: job.updated });
    this.rowsProcessed.notify({ result: 'duplicate', count: job.duplicates });
    this.rowsProcessed.notify({ result: 'invalid', count: job.invalid });
    this.throughput.notify(0);
  }

  private async fail(job: ContactImport, error: unknown): Promise<void> {
    const message =
      error instanceof MalformedFileError
        ? error.message
        : `The import stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    if (!(error instanceof MalformedFileError))
      this.logger.error(`Import ${job.id}: ${error instanceof Error ? error.stack : String(error)}`);
    await this.store.markFailed(job.id, message);
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
    private readonly store: ImportStore,
    private readonly job: ContactImport,
    private readonly throughput: Observers<number>,
    private readonly onProgress?: (progress: ImportProgress) => void,
  ) {}

  add(batch: CopyBatch): void {
    this.rows += batch.rows;
    this.bytesRead = batch.bytesRead;
    this.onProgress?.({ rows: this.rows, bytesRead: this.bytesRead, totalBytes: this.job.fileBytes });
    const now = Date.now();
    if (now - this.lastWrite < PROGRESS_EVERY_MS) return;
    this.lastWrite = now;
    if (now > this.startedAt) this.throughput.notify(Math.round((this.rows * 1000) / (now - this.startedAt)));
    this.pending = this.pending.then(() => this.write()).catch(() => undefined);
  }

  async flush(): Promise<void> {
    await this.pending;
    await this.write().catch(() => undefined);
  }

  private write(): Promise<void> {
    return this.store.recordProgress(this.job.id, this.rows, this.bytesRead);
  }
}
