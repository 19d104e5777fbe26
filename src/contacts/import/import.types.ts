export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';
export type ImportMode = 'update' | 'skip';

/**
 * A persisted import job (a `contact_imports` row). Its uploaded file is kept in PostgreSQL until the
 * job finishes; while it runs, the instance holding its lease is the only one importing it.
 */
export interface ContactImport {
  id: string;
  listId: string;
  status: ImportStatus;
  /** The stored upload; null once the job is finished (the upload is deleted then). */
  uploadId: string | null;
  originalName: string;
  fileBytes: number;
  defaultCountry: string | null;
  mode: ImportMode;
  phoneColumn: string | null;
  nameColumn: string | null;
  /** The file's header row, for rejected.csv. */
  header: string[] | null;
  rows: number;
  imported: number;
  updated: number;
  duplicates: number;
  invalid: number;
  /** Rows parsed so far by the running attempt (committed separately, for progress bars). */
  progressRows: number;
  progressBytes: number;
  attempts: number;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** A row of the file the import did not take, with the file's own values (rejected.csv). */
export interface RejectedRow {
  line: number;
  kind: 'invalid' | 'duplicate';
  reason: string;
  originalValues: string[];
}
