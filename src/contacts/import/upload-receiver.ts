import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError, InvalidInputError } from '../../common/errors/domain-error';
import type { StoredUpload } from './import-upload.store';

export interface ReceivedUpload {
  upload: StoredUpload;
  originalName: string;
  /** The other multipart fields, as sent. */
  fields: Record<string, string>;
}

export interface UploadSink {
  store(content: Readable): Promise<StoredUpload>;
  discard(upload: StoredUpload): Promise<void>;
}

const MAX_FIELDS = 20;

export class UploadTooLargeError extends DomainError {
  constructor(maxBytes: number) {
    const mb = Math.round(maxBytes / 1024 / 1024);
    super(
      'too_large',
      'import_file_too_large',
      `The file is larger than the ${mb} MB limit (IMPORT_MAX_FILE_MB); split it into smaller files`,
      {
        maxBytes,
      },
    );
  }
}

/**
 * Streams the multipart field `file` into `sink` as it arrives (never whole into memory) and
 * collects the other fields. A request that breaks off or goes over the size limit leaves nothing
 * stored: the partial upload is discarded and the error thrown.
 */
export async function receiveUpload(
  request: IncomingMessage,
  sink: UploadSink,
  maxBytes: number,
): Promise<ReceivedUpload> {
  const contentType = request.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw new InvalidInputError('file', 'send the CSV as multipart/form-data in the field "file"');
  }
  // A declared length far above the limit is refused before reading a byte.
  if (Number(request.headers['content-length'] ?? 0) > maxBytes + 1024 * 1024)
    throw new UploadTooLargeError(maxBytes);

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: request.headers,
      limits: { files: 1, fileSize: maxBytes, fields: MAX_FIELDS },
    });
  } catch (error) {
    // "Multipart: Boundary not found": a hand-written Content-Type without `; boundary=…`.
    throw new InvalidInputError(
      'file',
      `the multipart body cannot be read (${error instanceof Error ? error.message : String(error)}): Content-Type must be multipart/form-data with its boundary, as a browser's FormData or curl -F send it`,
    );
  }
  const fields: Record<string, string> = {};
  let stored: Promise<ReceivedUpload> | undefined;
  let tooLarge = false;
  parser.on('field', (name, value) => (fields[name] = value));
  parser.on('file', (name, stream, info) => {
    if (name !== 'file' || stored) return void stream.resume();
    stream.on('limit', () => (tooLarge = true));
    stored = sink.store(stream).then((upload) => ({
      upload,
      originalName: info.filename ?? 'upload',
      fields,
    }));
    // Settled below; this only keeps an early failure from being reported as unhandled.
    stored.catch(() => undefined);
  });
  try {
    await pipeline(request, parser);
  } catch (error) {
    await stored?.then((partial) => sink.discard(partial.upload)).catch(() => undefined);
    throw new InvalidInputError(
      'file',
      `the multipart body could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!stored) throw new InvalidInputError('file', 'is required: send the CSV in the multipart field "file"');
  const received = await stored;
  if (tooLarge) {
    await sink.discard(received.upload);
    throw new UploadTooLargeError(maxBytes);
  }
  return received;
}
