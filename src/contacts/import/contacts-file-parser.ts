import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import * as iconv from 'iconv-lite';
import { ColumnMapping, resolveColumnMapping } from './column-mapping';
import { assertAcceptedExtension, FileShape, MalformedFileError, sniffFile } from './file-sniffer';
import { PhoneLineTable } from './phone-line-table';
import { PhoneNormalizer } from './phone-normalizer';

export interface ParseOptions {
  filePath: string;
  originalName: string;
  defaultCountry?: string | null;
  phoneColumn?: string | null;
  nameColumn?: string | null;
  /** Keep the original values of accepted rows too (skip mode lists rows already in the list). */
  keepAcceptedRaw: boolean;
  /**
   * Set when the target list was empty at the start: accepted rows are then written for COPY
   * straight into `contacts` (CONTACT_COLUMNS) instead of going through the staging table.
   */
  directListId?: string;
  batchRows?: number;
}

/** A slice of the file in COPY text format: staging rows (STAGING_COLUMNS) and, in direct mode, contact rows (CONTACT_COLUMNS). */
export interface ParsedBatch {
  stagingText: string;
  contactsText: string;
  rows: number;
  bytesRead: number;
}

export interface ParseSummary {
  rows: number;
  /** Rows written as contacts (direct mode) or as accepted staging rows. */
  accepted: number;
  invalid: number;
  duplicates: number;
  header: string[];
}

export interface ParseSink {
  header(header: string[]): Promise<void> | void;
  /** Resolves when the batch is written, which is what keeps memory bounded. */
  batch(batch: ParsedBatch): Promise<void>;
}

/** Column order of the COPY text the parser produces and the staging table receives. */
export const STAGING_COLUMNS = [
  'line',
  'phone',
  'name',
  'attributes',
  'phone_type',
  'country',
  'kind',
  'reason',
  'raw',
] as const;
export const CONTACT_COLUMNS = ['list_id', 'phone', 'name', 'attributes', 'phone_type', 'country'] as const;

/** csv-parse's limit: one record (a row with its quoted newlines) at most this many bytes. */
export const MAX_ROW_BYTES = 1024 * 1024;
/**
 * A contact's name (its columns joined) and each attribute value at most this many characters: a
 * longer one is not a name or a template variable but a pasted document or a broken quote. Such a
 * row is rejected as invalid with a reason naming the column and the limit — never cut silently.
 */
export const MAX_CONTACT_NAME_LENGTH = 500;
export const MAX_ATTRIBUTE_VALUE_LENGTH = 2000;
const DEFAULT_BATCH_ROWS = 10_000;
const FIRST_BATCH_ROWS = 1_000;

/**
 * Streams a CSV file into staging rows: decodes, parses, normalizes phones, dedupes within the file,
 * and classifies each data row as accepted, invalid or duplicate. Nothing is dropped: every data
 * row becomes exactly one staging row, except rows with no value in any column (Excel's ";;;").
 */
export async function parseContactsFile(options: ParseOptions, sink: ParseSink): Promise<ParseSummary> {
  assertAcceptedExtension(options.originalName);
  const shape = await sniffFile(options.filePath);
  const input = openDecoded(options.filePath, shape);
  const parser = input.stream.pipe(
    parse({
      delimiter: shape.delimiter,
      relax_column_count: true,
      relax_quotes: true,
      // Blank lines arrive as [''] and are skipped below: counting them keeps line numbers exact
      // without csv-parse's per-record info objects (a sixth of the parse time).
      skip_empty_lines: false,
      max_record_size: MAX_ROW_BYTES,
    }),
  );
  const state = new RowClassifier(options);
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const lines = new LineCounter();
  let mapping: ColumnMapping | undefined;
  let header: string[] | undefined;
  let buffered = 0;
  // A small first batch gets PostgreSQL working while the parser warms up.
  let limit = Math.min(FIRST_BATCH_ROWS, batchRows);
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const line = lines.next(record);
      if (isBlank(record)) continue;
      if (!header) {
        header = record.map((cell) => cell.trim());
        mapping = resolveColumnMapping(header, options);
        await sink.header(header);
        continue;
      }
      state.classify(record, line, header, mapping!);
      if (++buffered >= limit) {
        await sink.batch({ ...state.take(), rows: buffered, bytesRead: input.bytesRead() });
        buffered = 0;
        limit = batchRows;
      }
    }
  } catch (error) {
    throw describeParseError(error, lines.nextRowLine());
  } finally {
    input.stream.destroy();
  }
  if (!header)
    throw new MalformedFileError(
      'The file has no header row: it holds only blank lines. The first row must name the columns, e.g. "phone,name".',
    );
  if (buffered > 0) await sink.batch({ ...state.take(), rows: buffered, bytesRead: input.bytesRead() });
  if (state.rows === 0) {
    throw new MalformedFileError(
      'The file has a header row but no contacts under it. Add one contact per row below the header.',
    );
  }
  return {
    rows: state.rows,
    accepted: state.accepted,
    invalid: state.invalid,
    duplicates: state.duplicates,
    header,
  };
}

function openDecoded(
  path: string,
  shape: FileShape,
): { stream: NodeJS.ReadableStream & { destroy(): void }; bytesRead(): number } {
  const file = createReadStream(path, { start: shape.bomLength, highWaterMark: 256 * 1024 });
  let bytes = shape.bomLength;
  file.on('data', (chunk) => (bytes += chunk.length));
  // csv-parse decodes UTF-8 buffers itself; handing it strings would make it encode them back.
  const stream = shape.encoding === 'utf8' ? file : file.pipe(iconv.decodeStream(shape.encoding));
  if (stream !== file) file.on('error', (error) => stream.emit('error', error));
  return { stream: stream as NodeJS.ReadableStream & { destroy(): void }, bytesRead: () => bytes };
}

function isBlank(record: string[]): boolean {
  for (const cell of record) if (cell.trim() !== '') return false;
  return true;
}

/** csv-parse reports lines awkwardly for multi-line rows; count them ourselves: a row's first line. */
class LineCounter {
  private lastLine = 0;

  next(record: string[]): number {
    const start = this.lastLine + 1;
    let embedded = 0;
    for (const cell of record) {
      for (let at = cell.indexOf('\n'); at >= 0; at = cell.indexOf('\n', at + 1)) embedded++;
    }
    this.lastLine = start + embedded;
    return start;
  }

  nextRowLine(): number {
    return this.lastLine + 1;
  }
}

function describeParseError(error: unknown, line: number): Error {
  if (error instanceof MalformedFileError || !(error instanceof Error)) return error as Error;
  const code = (error as { code?: string }).code;
  if (code === 'CSV_QUOTE_NOT_CLOSED') {
    return new MalformedFileError(
      `The row starting at line ${line} opens a quoted value (") that is never closed, so the rest of the file would be read as one value. Close or remove that quote and upload again.`,
    );
  }
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return new MalformedFileError(
      `The row starting at line ${line} is longer than ${MAX_ROW_BYTES / 1024 / 1024} MB: the file is not a contact list, or a quote (") opened in that row is never closed. Fix that row and upload again.`,
    );
  }
  if (code?.startsWith('CSV_'))
    return new MalformedFileError(
      `The row starting at line ${line} cannot be read as CSV: ${error.message}. Fix that row and upload again.`,
    );
  return error;
}

/** Turns one data row into one staging or contact row (COPY text), keeping the counts. */
class RowClassifier {
  rows = 0;
  accepted = 0;
  invalid = 0;
  duplicates = 0;
  private staging = '';
  private contacts = '';
  private readonly phones: PhoneNormalizer;
  private readonly seen = new PhoneLineTable();

  constructor(private readonly options: ParseOptions) {
    this.phones = new PhoneNormalizer(options.defaultCountry);
  }

  /** The COPY text gathered since the last call. */
  take(): { stagingText: string; contactsText: string } {
    const taken = { stagingText: this.staging, contactsText: this.contacts };
    this.staging = '';
    this.contacts = '';
    return taken;
  }

  classify(record: string[], line: number, header: string[], mapping: ColumnMapping): void {
    this.rows++;
    const columns = header.length;
    const overflow = extraValues(record, columns);
    if (overflow)
      return this.reject(
        line,
        record,
        `the row has ${overflow} values but the header has ${columns} columns`,
      );
    const rawPhone = firstValue(record, mapping.phoneColumns);
    if (rawPhone === undefined) return this.reject(line, record, 'no phone number in the row');
    const phone = this.phones.normalize(rawPhone);
    if (!phone.ok) return this.reject(line, record, `phone "${rawPhone}": ${phone.reason}`);
    const name = joinName(record, mapping.nameColumns);
    if (name !== null && name.length > MAX_CONTACT_NAME_LENGTH)
      return this.reject(
        line,
        record,
        `name (${columnNames(header, mapping.nameColumns)}): ${name.length} characters, more than the ${MAX_CONTACT_NAME_LENGTH} a name may have; shorten it`,
      );
    const long = longAttribute(record, mapping);
    if (long)
      return this.reject(
        line,
        record,
        `column "${long.key}": ${long.length} characters, more than the ${MAX_ATTRIBUTE_VALUE_LENGTH} a value may have; shorten it`,
      );
    const firstLine = this.seen.firstLineOf(Number(phone.phone), line);
    if (firstLine !== undefined) {
      this.duplicates++;
      this.staging += copyRow(
        line,
        phone.phone,
        null,
        null,
        null,
        null,
        'duplicate',
        `same phone as line ${firstLine}`,
        JSON.stringify(record),
      );
      return;
    }
    this.accepted++;
    const attributes = attributesJson(record, mapping);
    if (this.options.directListId) {
      this.contacts += copyRow(
        this.options.directListId,
        phone.phone,
        name,
        attributes,
        phone.type,
        phone.country,
      );
    } else {
      const keptRaw = this.options.keepAcceptedRaw ? JSON.stringify(record) : null;
      this.staging += copyRow(
        line,
        phone.phone,
        name,
        attributes,
        phone.type,
        phone.country,
        null,
        null,
        keptRaw,
      );
    }
  }

  private reject(line: number, record: string[], reason: string): void {
    this.invalid++;
    this.staging += copyRow(line, null, null, null, null, null, 'invalid', reason, JSON.stringify(record));
  }
}

function extraValues(record: string[], columns: number): number | undefined {
  for (let index = columns; index < record.length; index++)
    if (record[index].trim() !== '') return record.length;
  return undefined;
}

function firstValue(record: string[], columns: number[]): string | undefined {
  for (const index of columns) {
    const value = record[index]?.trim();
    if (value) return value;
  }
  return undefined;
}

function columnNames(header: string[], columns: number[]): string {
  return columns.map((index) => `"${header[index]}"`).join(' + ');
}

/** The first attribute value over the limit, if any (trimmed, as it would be stored). */
function longAttribute(
  record: string[],
  mapping: ColumnMapping,
): { key: string; length: number } | undefined {
  for (const { index, key } of mapping.attributeColumns) {
    const cell = record[index];
    // Cheap test first: a cell within the limit untrimmed is within it trimmed.
    if (cell !== undefined && cell.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
      const length = cell.trim().length;
      if (length > MAX_ATTRIBUTE_VALUE_LENGTH) return { key, length };
    }
  }
  return undefined;
}

/** Parts joined with spaces; line breaks inside a quoted name would break message templates. */
function joinName(record: string[], columns: number[]): string | null {
  let name = '';
  for (const index of columns) {
    const part = record[index]?.trim();
    if (part) name = name ? `${name} ${part}` : part;
  }
  return name ? name.replace(/\s+/g, ' ') : null;
}

/** The attributes object as JSON text, written directly: a million rows, no intermediate objects. */
function attributesJson(record: string[], mapping: ColumnMapping): string {
  let json = '';
  for (const { index, jsonKey } of mapping.attributeColumns) {
    const value = record[index]?.trim();
    if (value) json += (json ? ',' : '{') + jsonKey + JSON.stringify(value);
  }
  return json ? json + '}' : '{}';
}

function copyRow(...values: Array<string | number | null>): string {
  let row = '';
  for (let index = 0; index < values.length; index++) {
    if (index > 0) row += '\t';
    const value = values[index];
    row += value === null ? '\\N' : typeof value === 'number' ? String(value) : escapeCopyText(value);
  }
  return row + '\n';
}

/** COPY text format: backslash, tab, newline and carriage return are escaped; NUL cannot be stored. */
function escapeCopyText(value: string): string {
  if (!/[\\\t\n\r\0]/.test(value)) return value;
  return value.replace(/[\\\t\n\r\0]/g, (char) =>
    char === '\\' ? '\\\\' : char === '\t' ? '\\t' : char === '\n' ? '\\n' : char === '\r' ? '\\r' : '',
  );
}
