import { parentPort, workerData } from 'node:worker_threads';
import { ColumnMappingError } from './column-mapping';
import { parseContactsFile, ParseOptions } from './contacts-file-parser';
import { MalformedFileError } from './file-sniffer';
import type { ParserMessage } from './parser-thread';

/** Batches posted but not yet written by the main thread; bounds the memory between the two. */
const MAX_BATCHES_IN_FLIGHT = 4;

const port = parentPort!;
let acknowledged = 0;
let posted = 0;
let wake: (() => void) | undefined;

port.on('message', (message: unknown) => {
  if (message !== 'ack') return;
  acknowledged++;
  wake?.();
});

const post = (message: ParserMessage) => port.postMessage(message);

parseContactsFile(workerData as ParseOptions, {
  header: (header) => post({ type: 'header', header }),
  batch: async (batch) => {
    post({ type: 'batch', batch });
    posted++;
    while (posted - acknowledged > MAX_BATCHES_IN_FLIGHT)
      await new Promise<void>((resolve) => (wake = resolve));
  },
})
  .then((summary) => post({ type: 'done', summary }))
  .catch((error: unknown) =>
    post({
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
      malformed: error instanceof MalformedFileError || error instanceof ColumnMappingError,
    }),
  );
