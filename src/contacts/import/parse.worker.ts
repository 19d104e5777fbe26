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
  batch: async ({ stagingText, contactsText, rows, bytesRead }) => {
    // UTF-8 bytes, moved (not copied) to the main thread: no big strings on either heap, and the
    // encoding work stays on this thread.
    const staging = stagingText ? ownBytes(stagingText) : null;
    const contacts = contactsText ? ownBytes(contactsText) : null;
    const transfer = [staging, contacts].filter((bytes) => bytes !== null).map((bytes) => bytes.buffer);
    port.postMessage(
      { type: 'batch', batch: { staging, contacts, rows, bytesRead } } satisfies ParserMessage,
      transfer,
    );
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

/** UTF-8 bytes in an ArrayBuffer of their own (small Buffers share Node's pool, which must not be moved). */
function ownBytes(text: string): Uint8Array {
  const bytes = Buffer.from(text);
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);
}
