import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseContactsFile, ParseOptions, ParseSummary } from './contacts-file-parser';
import { ColumnMappingError } from './column-mapping';
import { MalformedFileError } from './file-sniffer';

/** A parsed slice of the file as COPY text in UTF-8: staging rows and (direct mode) contact rows. */
export interface CopyBatch {
  staging: Uint8Array | null;
  contacts: Uint8Array | null;
  rows: number;
  bytesRead: number;
}

export interface CopySink {
  header(header: string[]): Promise<void> | void;
  /** Resolves when the batch is written, which is what keeps memory bounded. */
  batch(batch: CopyBatch): Promise<void>;
}

export type ParserMessage =
  | { type: 'header'; header: string[] }
  | { type: 'batch'; batch: CopyBatch }
  | { type: 'done'; summary: ParseSummary }
  | { type: 'error'; message: string; malformed: boolean };

export class ImportAbortedError extends Error {
  constructor() {
    super('The import was interrupted (shutdown); it resumes on the next start');
  }
}

/**
 * Runs parseContactsFile in a worker thread so parsing and phone validation (one core) overlap
 * with Postgres ingesting the previous batches (the other core). Each batch is acknowledged after
 * the sink has written it, which is what bounds memory.
 */
export function parseInWorker(
  options: ParseOptions,
  sink: CopySink,
  signal?: AbortSignal,
): Promise<ParseSummary> {
  return new Promise<ParseSummary>((resolve, reject) => {
    const worker = startWorker(options);
    let settled = false;
    let chain = Promise.resolve();
    const finish = (error: Error | undefined, summary?: ParseSummary) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (error) reject(error);
      else resolve(summary!);
    };
    const onAbort = () => finish(new ImportAbortedError());
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);

    // Messages are handled strictly in order: a batch is written before the next one, and "done" waits for all.
    worker.on('message', (message: ParserMessage) => {
      chain = chain.then(() => handle(message)).catch((error: Error) => finish(error));
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) =>
      finish(new Error(`The parser thread stopped unexpectedly (exit code ${code})`)),
    );

    async function handle(message: ParserMessage): Promise<void> {
      if (settled) return;
      switch (message.type) {
        case 'header':
          return sink.header(message.header);
        case 'batch':
          await sink.batch(message.batch);
          worker.postMessage('ack');
          return;
        case 'done':
          return finish(undefined, message.summary);
        case 'error':
          return finish(
            message.malformed ? new MalformedFileError(message.message) : new Error(message.message),
          );
      }
    }
  });
}

/** Below this size a file is parsed on the calling thread: starting a thread would cost more than the parse. */
export const IN_THREAD_MAX_BYTES = 1024 * 1024;

/** Parses a file that is small on the calling thread, a larger one in a worker thread. */
export function parseContacts(
  options: ParseOptions,
  fileBytes: number,
  sink: CopySink,
  signal?: AbortSignal,
): Promise<ParseSummary> {
  return fileBytes < IN_THREAD_MAX_BYTES
    ? parseInThread(options, sink, signal)
    : parseInWorker(options, sink, signal);
}

/** parseContactsFile here, with the same batches (UTF-8 COPY bytes) and abort as the worker. */
async function parseInThread(
  options: ParseOptions,
  sink: CopySink,
  signal?: AbortSignal,
): Promise<ParseSummary> {
  const abortable = () => {
    if (signal?.aborted) throw new ImportAbortedError();
  };
  abortable();
  const summary = await parseContactsFile(options, {
    header: (header) => sink.header(header),
    batch: async ({ stagingText, contactsText, rows, bytesRead }) => {
      abortable();
      await sink.batch({
        staging: stagingText ? Buffer.from(stagingText) : null,
        contacts: contactsText ? Buffer.from(contactsText) : null,
        rows,
        bytesRead,
      });
    },
  }).catch((error: unknown) => {
    // As the worker reports it: a file whose columns cannot be mapped is a problem with the file.
    throw error instanceof ColumnMappingError ? new MalformedFileError(error.message) : error;
  });
  abortable();
  return summary;
}

/**
 * The parser's live data is small (a phone cache, a few batches; the dedupe table is off-heap), so a
 * modest heap makes V8 collect early instead of growing the process toward its default limits.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 };

function startWorker(options: ParseOptions): Worker {
  const compiled = __filename.endsWith('.js');
  const script = join(__dirname, `parse.worker.${compiled ? 'js' : 'ts'}`);
  if (compiled) return new Worker(script, { workerData: options, resourceLimits: WORKER_LIMITS });
  // Under ts-node / ts-jest the worker compiles its own TypeScript (and needs the compiler's memory).
  return new Worker(
    `require('ts-node').register({ transpileOnly: true }); require(${JSON.stringify(script)});`,
    {
      eval: true,
      workerData: options,
    },
  );
}
