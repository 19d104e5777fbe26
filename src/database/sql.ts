import type { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';

/** Runs one SQL statement and returns its rows. */
export type Sql = <Row = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<Row[]>;

/**
 * TypeORM answers a bare `UPDATE`/`DELETE … RETURNING` with `[rows, count]`: unwrapped here, so every
 * call returns plain rows whatever the statement.
 */
export function sqlFrom(source: Pick<DataSource | EntityManager, 'query'>): Sql {
  return async <Row>(text: string, params: unknown[] = []) => {
    const result: unknown = await source.query(text, params);
    return (isRowsAndCount(result) ? result[0] : result) as Row[];
  };
}

function isRowsAndCount(result: unknown): result is [unknown[], number] {
  return (
    Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number'
  );
}

/** The same, over one plain `pg` connection (start-up provisioning, before Nest exists). */
export function sqlFromClient(client: Pick<Client, 'query'>): Sql {
  return async <Row>(text: string, params: unknown[] = []) =>
    (await client.query(text, params)).rows as Row[];
}

/** Collects positional parameters for a statement built from parts (`params.add(value)` → `$n`). */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
