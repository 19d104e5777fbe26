import busboy from 'busboy';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { DomainError, InvalidInputError } from '../../common/errors/domain-error';

export interface ReceivedUpload {
  filePath: string;
  originalName: string;
  bytes: number;
  /** The other multipart fields, as sent. */
  fields: Record<string, string>;
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
 * Streams the multipart field `file` straight to disk (never into memory) and collects the other
 * fields. Over the size limit, the partial file is removed and UploadTooLargeError is thrown.
 */
export async function receiveUpload(
  request: IncomingMessage,
  directory: string,
  maxBytes: number,
): Promise<ReceivedUpload> {
  const contentType = request.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw new InvalidInputError('file', 'send the CSV as multipart/form-data in the field "file"');
  }
  // A declared length far above the limit is refused before reading a byte.
  if (Number(request.headers['content-length'] ?? 0) > maxBytes + 1024 * 1024)
    throw new UploadTooLargeError(maxBytes);

  const parser = busboy({
    headers: request.headers,
    limits: { files: 1, fileSize: maxBytes, fields: MAX_FIELDS },
  });
  const fields: Record<string, string> = {};
  let upload: Promise<ReceivedUpload> | undefined;
  let tooLarge = false;
  parser.on('field', (name, value) => (fields[name] = value));
  parser.on('file', (name, stream, info) => {
    if (name !== 'file' || upload) return void stream.resume();
    const filePath = join(directory, `${randomUUID()}.upload`);
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    stream.on('limit', () => (tooLarge = true));
    upload = pipeline(stream, createWriteStream(filePath)).then(() => ({
      filePath,
      originalName: info.filename ?? 'upload',
      bytes,
      fields,
    }));
  });
  try {
    await pipeline(request, parser);
  } catch (error) {
    await upload?.then((partial) => rm(partial.filePath, { force: true })).catch(() => undefined);
    throw new InvalidInputError(
      'file',
      `the multipart body could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!upload) throw new InvalidInputError('file', 'is required: send the CSV in the multipart field "file"');
  const received = await upload;
  if (tooLarge) {
    await rm(received.filePath, { force: true });
    throw new UploadTooLargeError(maxBytes);
  }
  return received;
}
