import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import type { Sql } from '../database/sql';

export type OptOutSource = 'webhook' | 'manual' | 'import';

/** A phone in the register (an `opt_outs` row) is excluded from every future campaign, whatever list it is in. */
export interface OptOut {
  phone: string;
  source: OptOutSource;
  reason: string | null;
  createdAt: Date;
}

/** The phone $1 in every list, found through the (list_id, phone) unique index. */
const IN_EVERY_LIST = 'list_id IN (SELECT id FROM contact_lists) AND phone = $1';

/** `opt_outs`, and the `contacts.opted_out` flag that mirrors it in every list. */
@Injectable()
export class OptOutStore {
  constructor(private readonly database: Database) {}

  /** Records the phone unless it is there already (the first record is kept); true when recorded now. */
  async insert(
    phone: string,
    source: OptOutSource,
    reason: string | null,
    sql: Sql = this.database.sql,
  ): Promise<boolean> {
    const inserted = await sql(
      `WITH inserted AS (
         INSERT INTO opt_outs (phone, source, reason) VALUES ($1, $2, $3) ON CONFLICT (phone) DO NOTHING RETURNING phone
       )
       SELECT phone FROM inserted`,
      [phone, source, reason],
    );
    return inserted.length > 0;
  }

  /** True when the phone was in the register. */
  async delete(phone: string, sql: Sql = this.database.sql): Promise<boolean> {
    const deleted = await sql(
      `WITH deleted AS (DELETE FROM opt_outs WHERE phone = $1 RETURNING phone) SELECT phone FROM deleted`,
      [phone],
    );
    return deleted.length > 0;
  }

  /** Flags the phone's contacts in every list; returns how many were not flagged yet. */
  async flagContacts(phone: string, sql: Sql = this.database.sql): Promise<number> {
    const [{ flagged }] = await sql<{ flagged: number }>(
      `WITH flagged AS (
         UPDATE contacts SET opted_out = true, updated_at = now() WHERE ${IN_EVERY_LIST} AND NOT opted_out RETURNING 1
       )
       SELECT count(*)::int AS flagged FROM flagged`,
      [phone],
    );
    return flagged;
  }

  async unflagContacts(phone: string, sql: Sql = this.database.sql): Promise<void> {
    await sql(
      `UPDATE contacts SET opted_out = false, updated_at = now() WHERE ${IN_EVERY_LIST} AND opted_out`,
      [phone],
    );
  }

  async exists(phone: string): Promise<boolean> {
    return (await this.database.sql(`SELECT 1 FROM opt_outs WHERE phone = $1`, [phone])).length > 0;
  }

  async find(phone: string): Promise<OptOut | null> {
    const [optOut] = await this.database.sql<OptOut>(
      `SELECT phone, source, reason, created_at AS "createdAt" FROM opt_outs WHERE phone = $1`,
      [phone],
    );
    return optOut ?? null;
  }
}
