import { Injectable } from '@nestjs/common';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Database } from '../../database/database';

export interface StoredUpload {
  id: string;
  bytes: number;
}

/** Bytes per stored chunk: big enough for few rows, small enough that memory never holds much more. */
const CHUNK_BYTES = 1024 * 1024;
/** Chunks read per query when an upload is written back out. */
const CHUNKS_PER_READ = 4;

/**
 * `import_uploads` and their `import_upload_chunks`: uploaded files kept in PostgreSQL so that any
 * instance can run (or resume) the import. Files are streamed in and out a chunk at a time, never
 * held whole in memory.
 */
@Injectable()
export class ImportUploadStore {
  constructor(private readonly database: Database) {}

  /** Stores the stream's bytes; on any error the partial upload is deleted and the error rethrown. */
  async save(content: Readable): Promise<StoredUpload> {
    const [{ id }] = await this.database.sql<{ id: string }>(
      `INSERT INTO import_uploads DEFAULT VALUES RETURNING id`,
    );
    try {
      const bytes = await this.saveChunks(id, content);
      await this.database.sql(`UPDATE import_uploads SET bytes = $2 WHERE id = $1`, [id, bytes]);
      return { id, bytes };
    } catch (error) {
      await this.delete(id).catch(() => undefined);
      throw error;
    }
  }

  /** Writes the upload to a local file (the parser thread reads files), chunk by chunk. */
  async writeTo(id: string, path: string): Promise<void> {
    const file = createWriteStream(path);
    try {
      for (let next = 0; ; next += CHUNKS_PER_READ) {
        const chunks = await this.database.sql<{ data: Buffer }>(
          `SELECT data FROM import_upload_chunks WHERE upload_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
          [id, next, CHUNKS_PER_READ],
        );
        for (const { data } of chunks) if (!file.write(data)) await once(file, 'drain');
        if (chunks.length < CHUNKS_PER_READ) break;
      }
    } finally {
      file.end();
      await finished(file);
    }
  }

  async delete(id: string): Promise<void> {
    await this.database.sql(`DELETE FROM import_uploads WHERE id = $1`, [id]);
  }

  /**
   * Uploads no job refers to and nothing was written to for `idleMs`: what a process killed while
   * receiving a file leaves behind (a finished job deletes its own upload). A slow upload still
   * arriving keeps adding chunks, so it is never taken for abandoned.
   */
  async deleteAbandoned(idleMs: number): Promise<number> {
    const deleted = await this.database.sql(
      `DELETE FROM import_uploads u
       WHERE u.created_at < now() - $1 * interval '1 millisecond'
         AND NOT EXISTS (SELECT 1 FROM contact_imports j WHERE j.upload_id = u.id)
         AND NOT EXISTS (
           SELECT 1 FROM import_upload_chunks c
           WHERE c.upload_id = u.id AND c.created_at >= now() - $1 * interval '1 millisecond'
         )
       RETURNING 1`,
      [idleMs],
    );
    return deleted.length;
  }

  /** One INSERT per full chunk, awaited before reading on: the request's stream is the backpressure. */
  private async saveChunks(id: string, content: Readable): Promise<number> {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let seq = 0;
    let bytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await this.database.sql(`INSERT INTO import_upload_chunks (upload_id, seq, data) VALUES ($1, $2, $3)`, [
        id,
        seq++,
        data,
      ]);
    };
    for await (const chunk of content as AsyncIterable<Buffer | string>) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      pending.push(buffer);
      pendingBytes += buffer.length;
      bytes += buffer.length;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    await flush();
    return bytes;
  }
}
