import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { NotFoundError } from '../common/errors/domain-error';
import { PeriodicTask, PeriodicTasks } from '../common/scheduling/periodic-tasks';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ContactListsService } from './contact-lists.service';
import { ImportProgress, ImportRunner } from './import/import-runner';
import { ImportUploadStore, StoredUpload } from './import/import-upload.store';
import { ImportStore } from './import/import.store';
import type { ContactImport, ImportMode, RejectedRow } from './import/import.types';

export interface NewImport {
  listId: string;
  /** The file, already stored with `storeUpload`; the job owns it from here on. */
  upload: StoredUpload;
  originalName: string;
  defaultCountry?: string | null;
  mode?: ImportMode;
  phoneColumn?: string | null;
  nameColumn?: string | null;
}

const REJECTED_PAGE = 5_000;

/**
 * Import jobs as the API and the CLI see them: a file is stored in PostgreSQL, a job row queues it,
 * and ImportRunner runs it on whichever instance claims it (this one right away when it runs
 * imports, otherwise a worker's next round).
 */
@Injectable()
export class ImportService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ImportService.name);
  private task?: PeriodicTask;

  constructor(
    private readonly store: ImportStore,
    private readonly uploads: ImportUploadStore,
    private readonly runner: ImportRunner,
    private readonly lists: ContactListsService,
    private readonly periodicTasks: PeriodicTasks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Loop on instances that run loops: queued jobs, jobs of dead instances, abandoned uploads. */
  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled) return;
    this.task = this.periodicTasks.start({
      name: 'Import claims',
      intervalMs: this.config.imports.pollIntervalMs,
      run: async () => {
        await this.runner.claimAvailable();
        await this.runner.deleteAbandonedUploads();
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }

  /** Streams a file into PostgreSQL; it becomes an import with `create`, or is given back with `discardUpload`. */
  storeUpload(content: Readable): Promise<StoredUpload> {
    return this.uploads.save(content);
  }

  discardUpload(upload: StoredUpload): Promise<void> {
    return this.uploads.delete(upload.id);
  }

  async create(input: NewImport): Promise<ContactImport> {
    await this.lists.assertExists(input.listId);
    return this.store.insert({
      listId: input.listId,
      uploadId: input.upload.id,
      originalName: input.originalName,
      fileBytes: input.upload.bytes,
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

  /**
   * After an upload: an instance that runs imports (not an `api` one) starts the job at once when it
   * has a free slot; otherwise the job waits in the queue for a worker's next round.
   */
  startSoon(): void {
    if (this.config.instanceRole === 'api') return;
    void this.runner
      .claimAvailable()
      .catch((error: unknown) =>
        this.logger.warn(`Claiming imports failed (the next round retries): ${String(error)}`),
      );
  }

  /** Runs the job to its end (here, or by waiting for the instance that has it) and resolves with its final row. */
  async run(id: string, onProgress?: (progress: ImportProgress) => void): Promise<ContactImport> {
    await this.get(id);
    return this.runner.runToEnd(id, onProgress);
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
}
