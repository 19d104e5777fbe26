import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Clock } from '../../common/clock/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { Observers } from '../../common/observers';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { BatchLease } from '../../database/batch-lease';
import { MalformedFileError } from './file-sniffer';
import { ImportUploadStore } from './import-upload.store';
import { ImportAttempt, ImportStore, LeaseLostError } from './import.store';
import type { ContactImport } from './import.types';
import { CopyBatch, ImportAbortedError, parseContacts } from './parser-thread';

export type ImportRowResult = 'imported' | 'updated' | 'duplicate' | 'invalid';

export interface ImportProgress {
  rows: number;
  bytesRead: number;
  totalBytes: number;
}

const PROGRESS_EVERY_MS = 500;

interface RunningAttempt {
  abort: AbortController;
  done: Promise<void>;
  progress?: (progress: ImportProgress) => void;
}

/**
 * Runs import jobs on this instance. A job is claimed under a lease (any instance may take a queued
 * job, or one whose holder died), its upload is copied from PostgreSQL to a local spool file for
 * the parser thread, and the attempt runs in one transaction (COPY of each parsed batch into a temp
 * staging table — or straight into an empty list — then a set-based merge, counts, status). A crash
 * leaves no partial import: the transaction rolls back, the lease lapses, and another instance runs
 * the job again from its upload, so nothing is counted twice.
 */
@Injectable()
export class ImportRunner implements OnModuleDestroy {
  /** Rows of each completed job by result, for whoever observes imports (metrics). */
  readonly rowsProcessed = new Observers<{ result: ImportRowResult; count: number }>();
  /** Rows per second of the import running now; 0 when it ends. */
  readonly throughput = new Observers<number>();
  private readonly logger = new Logger(ImportRunner.name);
  /** This instance's identity as a lease owner. */
  private readonly owner = randomUUID();
  private readonly attempts = new Map<string, RunningAttempt>();
  /** Claims are made one after another, so the concurrency limit is never overshot. */
  private claiming: Promise<unknown> = Promise.resolve();
  /** Set at shutdown: nothing new is claimed. */
  private closed = false;

  constructor(
    private readonly store: ImportStore,
    private readonly uploads: ImportUploadStore,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Shutdown: stop the attempts in flight; they roll back and go back to the queue for any instance. */
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    const running = [...this.attempts.values()];
    running.forEach((attempt) => attempt.abort.abort());
    await Promise.allSettled(running.map((attempt) => attempt.done));
  }

  /**
   * Claims queued or orphaned jobs while fewer than IMPORT_CONCURRENCY run here, and starts them
   * without waiting. Jobs beyond that stay queued for the next round or another instance.
   */
  claimAvailable(): Promise<number> {
    const round = this.claiming.then(async () => {
      let started = 0;
      while (!this.closed && this.attempts.size < this.config.imports.concurrency) {
        const job = await this.store.claim(this.owner, this.config.imports.leaseMs);
        if (!job) break;
        this.start(job);
        started++;
      }
      return started;
    });
    this.claiming = round.catch(() => undefined);
    return round;
  }

  /**
   * Runs the job `id` to its end and resolves with its final row: here when it can be claimed,
   * otherwise by waiting for the instance that holds it (and taking it over if that one dies).
   */
  async runToEnd(id: string, onProgress?: (progress: ImportProgress) => void): Promise<ContactImport> {
    for (;;) {
      const here = this.attempts.get(id);
      if (here) {
        here.progress ??= onProgress;
        await here.done;
      } else if (!this.closed) {
        const claimed = await this.store.claim(this.owner, this.config.imports.leaseMs, id);
        if (claimed) await this.start(claimed, onProgress).done;
      }
      const job = await this.store.findById(id);
      if (!job) throw new NotFoundError('Import', id);
      if (job.status === 'completed' || job.status === 'failed' || this.closed) return job;
      onProgress?.({ rows: job.progressRows, bytesRead: job.progressBytes, totalBytes: job.fileBytes });
      await sleep(this.config.imports.pollIntervalMs);
    }
  }

  /** Uploads that no job refers to any more (a process died while receiving them). */
  deleteAbandonedUploads(): Promise<number> {
    return this.uploads.deleteAbandoned(this.config.imports.leaseMs * 10);
  }

  private start(job: ContactImport, onProgress?: (progress: ImportProgress) => void): RunningAttempt {
    const abort = new AbortController();
    const running: RunningAttempt = { abort, progress: onProgress, done: Promise.resolve() };
    running.done = this.attempt(job, running)
      .catch((error: unknown) => this.logger.error(`Import ${job.id} crashed: ${String(error)}`))
      .finally(() => this.attempts.delete(job.id));
    this.attempts.set(job.id, running);
    return running;
  }

  private async attempt(job: ContactImport, running: RunningAttempt): Promise<void> {
    const { leaseMs } = this.config.imports;
    const lease = new BatchLease(
      async () => {
        if (!(await this.store.renewLease(job.id, this.owner, leaseMs))) running.abort.abort();
      },
      this.clock,
      leaseMs,
    );
    const spool = join(this.spoolDir(), `${job.id}-${job.attempts}.csv`);
    try {
      await this.uploads.writeTo(job.uploadId!, spool);
      const completed = await this.store.attempt(async (attempt) => {
        if (!(await attempt.tryLockList(job.listId))) return null;
        return this.importInTransaction(attempt, job, spool, running);
      });
      if (!completed) return void (await this.store.release(job.id, this.owner));
      if (completed.uploadId) await this.uploads.delete(completed.uploadId);
      this.announceRows(await this.store.findById(job.id));
    } catch (error) {
      this.throughput.notify(0);
      if (error instanceof ImportAbortedError) return void (await this.store.release(job.id, this.owner));
      if (error instanceof LeaseLostError) return;
      await this.fail(job, error);
    } finally {
      lease.end();
      await rm(spool, { force: true });
    }
  }

  private async importInTransaction(
    attempt: ImportAttempt,
    job: ContactImport,
    spool: string,
    running: RunningAttempt,
  ): Promise<{ uploadId: string | null }> {
    await attempt.createStaging();
    // An empty list (the usual first import) needs no merge: rows go straight into contacts.
    const direct = await attempt.listIsEmpty(job.listId);
    const progress = new ProgressReporter(this.store, this.owner, job, this.throughput, running);
    let header: string[] = [];
    let copiedContacts = 0;
    const summary = await parseContacts(
      {
        filePath: spool,
        originalName: job.originalName,
        defaultCountry: job.defaultCountry,
        phoneColumn: job.phoneColumn,
        nameColumn: job.nameColumn,
        keepAcceptedRaw: job.mode === 'skip',
        directListId: direct ? job.listId : undefined,
      },
      job.fileBytes,
      {
        header: (columns) => void (header = columns),
        batch: async (batch: CopyBatch) => {
          if (batch.contacts) copiedContacts += await attempt.copyContacts(batch.contacts);
          if (batch.staging) await attempt.copyStaging(batch.staging);
          progress.add(batch);
        },
      },
      running.abort.signal,
    );
    progress.stop();
    if (direct && copiedContacts !== summary.accepted)
      throw new Error(`Parsed ${summary.accepted} contacts but PostgreSQL stored ${copiedContacts}`);
    const counts = await attempt.mergeStaged(job, direct ? copiedContacts : undefined);
    if (counts.rows !== summary.rows)
      throw new Error(`Parsed ${summary.rows} rows but stored ${counts.rows}`);
    return attempt.markCompleted(job.id, this.owner, counts, header);
  }

  /** Rows by result; the rows/s gauge shows the import running now, so it goes back to 0. */
  private announceRows(job: ContactImport | null): void {
    if (job) {
      this.rowsProcessed.notify({ result: 'imported', count: job.imported });
      this.rowsProcessed.notify({ result: 'updated', count: job.updated });
      this.rowsProcessed.notify({ result: 'duplicate', count: job.duplicates });
      this.rowsProcessed.notify({ result: 'invalid', count: job.invalid });
    }
    this.throughput.notify(0);
  }

  private async fail(job: ContactImport, error: unknown): Promise<void> {
    const message =
      error instanceof MalformedFileError
        ? error.message
        : `The import stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    if (!(error instanceof MalformedFileError))
      this.logger.error(`Import ${job.id}: ${error instanceof Error ? error.stack : String(error)}`);
    const failed = await this.store.markFailed(job.id, this.owner, message);
    if (failed?.uploadId) await this.uploads.delete(failed.uploadId);
  }

  /** Where uploads are copied for the parser thread while their attempt runs. */
  private spoolDir(): string {
    const dir = join(this.config.dataDir, 'imports');
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}

/** Publishes parse progress to the job row (outside the transaction) and to the caller. */
class ProgressReporter {
  private rows = 0;
  private bytesRead = 0;
  private lastWrite = 0;
  private readonly startedAt = Date.now();
  private pending: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: ImportStore,
    private readonly owner: string,
    private readonly job: ContactImport,
    private readonly throughput: Observers<number>,
    private readonly running: RunningAttempt,
  ) {}

  add(batch: CopyBatch): void {
    this.rows += batch.rows;
    this.bytesRead = batch.bytesRead;
    this.running.progress?.({ rows: this.rows, bytesRead: this.bytesRead, totalBytes: this.job.fileBytes });
    const now = Date.now();
    if (this.stopped || now - this.lastWrite < PROGRESS_EVERY_MS) return;
    this.lastWrite = now;
    if (now > this.startedAt) this.throughput.notify(Math.round((this.rows * 1000) / (now - this.startedAt)));
    this.pending = this.pending.then(() => this.write()).catch(() => undefined);
  }

  /**
   * No more writes. Never awaited: the attempt holds its transaction's connection, and must not wait
   * for another one (the pool may be full of attempts doing the same); completion writes the final counts.
   */
  stop(): void {
    this.stopped = true;
  }

  private write(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.store.recordProgress(this.job.id, this.owner, this.rows, this.bytesRead);
  }
}
