import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import * as iconv from 'iconv-lite';

export type FileEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'win1251';
export type Delimiter = ',' | ';' | '\t';

export interface FileShape {
  encoding: FileEncoding;
  /** Bytes to skip before decoding (the byte-order mark). */
  bomLength: number;
  delimiter: Delimiter;
}

/** A file that cannot be imported at all; the message says what is wrong and how to fix it. */
export class MalformedFileError extends Error {}

export const ACCEPTED_EXTENSIONS = ['.csv', '.tsv', '.txt'];
const SAMPLE_BYTES = 64 * 1024;

const SIGNATURES: Array<{ bytes: number[]; what: string }> = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'an Excel workbook (.xlsx) or another ZIP archive' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old Excel workbook (.xls)' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
];
const SAVE_AS_CSV = 'Open it in Excel or Google Sheets and save it as "CSV UTF-8 (comma delimited)"';

export function assertAcceptedExtension(originalName: string): void {
  const extension = extname(originalName).toLowerCase();
  if (!ACCEPTED_EXTENSIONS.includes(extension)) {
    throw new MalformedFileError(
      `"${originalName}" is not a CSV file (${extension || 'no extension'}); upload a ${ACCEPTED_EXTENSIONS.join(', ')} file. ${SAVE_AS_CSV}.`,
    );
  }
}

/** Reads the start of the file to learn its encoding and delimiter, or to refuse it early. */
export async function sniffFile(path: string): Promise<FileShape> {
  const sample = await readSample(path);
  if (sample.length === 0)
    throw new MalformedFileError(
      'The file is empty (0 bytes). Export the contacts again with a header row and at least one contact.',
    );
  for (const signature of SIGNATURES) {
    if (signature.bytes.every((byte, index) => sample[index] === byte)) {
      throw new MalformedFileError(`The file is ${signature.what}, not CSV. ${SAVE_AS_CSV}.`);
    }
  }
  const detected = detectEncoding(sample);
  const { bomLength } = detected;
  // A sample that is plain ASCII says nothing: Windows-1251 bytes may start further down the file.
  const encoding =
    detected.encoding === 'utf8' && bomLength === 0 && !(await isUtf8File(path))
      ? 'win1251'
      : detected.encoding;
  const text = iconv.decode(sample.subarray(bomLength), encoding);
  assertText(text);
  return { encoding, bomLength, delimiter: detectDelimiter(firstLine(text)) };
}

async function readSample(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function detectEncoding(sample: Buffer): { encoding: FileEncoding; bomLength: number } {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf)
    return { encoding: 'utf8', bomLength: 3 };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf16le', bomLength: 2 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf16be', bomLength: 2 };
  if (looksLikeUtf16Le(sample)) return { encoding: 'utf16le', bomLength: 0 };
  return { encoding: isValidUtf8(sample) ? 'utf8' : 'win1251', bomLength: 0 };
}

/** One streaming pass with a strict decoder (about a second per GB): is the whole file UTF-8? */
async function isUtf8File(path: string): Promise<boolean> {
  // Validated in place (no decoding into strings); a character cut by a chunk boundary waits for the next chunk.
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const complete = completeUtf8Length(bytes);
    if (!isUtf8(bytes.subarray(0, complete))) return false;
    carry = Buffer.from(bytes.subarray(complete));
  }
  // A multi-byte character left incomplete at the end of the file is invalid.
  return carry.length === 0 || isUtf8(carry);
}

/** The length of `bytes` without a multi-byte character that is still incomplete at its end. */
function completeUtf8Length(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead byte
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** Excel's "Unicode text" without a BOM: ASCII characters followed by zero bytes. */
function looksLikeUtf16Le(sample: Buffer): boolean {
  const pairs = Math.min(256, Math.floor(sample.length / 2));
  if (pairs < 2) return false;
  let zeroHigh = 0;
  for (let index = 0; index < pairs; index++)
    if (sample[index * 2 + 1] === 0 && sample[index * 2] !== 0) zeroHigh++;
  return zeroHigh / pairs > 0.9;
}

function isValidUtf8(sample: Buffer): boolean {
  // The sample may end inside a multi-byte character: drop up to 3 trailing bytes before judging.
  for (let cut = 0; cut <= 3 && cut < sample.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - cut));
      return true;
    } catch {
      // try a shorter prefix
    }
  }
  return false;
}

function assertText(text: string): void {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0 || (code < 32 && code !== 9 && code !== 10 && code !== 13 && code !== 12)) {
      throw new MalformedFileError(
        `The file is not text: it holds binary data (character code ${code} near character ${index + 1}). ${SAVE_AS_CSV}.`,
      );
    }
  }
}

function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

/** The header decides: the candidate that splits it into the most columns (quoted parts ignored). */
function detectDelimiter(headerLine: string): Delimiter {
  const unquoted = headerLine.replace(/"[^"]*"/g, '""');
  const candidates: Delimiter[] = [',', ';', '\t'];
  let best: Delimiter = ',';
  let bestCount = 0;
  for (const candidate of candidates) {
    const count = unquoted.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}
