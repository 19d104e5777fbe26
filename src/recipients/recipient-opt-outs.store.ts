import { Injectable } from '@nestjs/common';
import { OPTED_OUT_REASON, WAITING_TO_SEND_STATES } from '../common/domain';
import { Database } from '../database/database';
import type { Sql } from '../database/sql';

/** What an opt-out does to recipients: the contacts module calls it in its opt-out transaction. */
@Injectable()
export class RecipientOptOutsStore {
  constructor(private readonly database: Database) {}

  /**
   * Skips the phone's recipients not yet sent in every campaign and run (running ones included);
   * a recipient already `sending` is its admission's to decide, which re-checks the register.
   * Returns how many were skipped.
   */
  async skipUnsent(phone: string, now: Date, sql: Sql = this.database.sql): Promise<number> {
    const [{ skipped }] = await sql<{ skipped: number }>(
      `WITH skipped AS (
         UPDATE campaign_recipients SET state = 'skipped', reason = $2, next_attempt_at = NULL,
           lease_owner = NULL, lease_expires_at = NULL, updated_at = $3
         WHERE phone = $1 AND state = ANY($4::text[])
         RETURNING 1
       )
       SELECT count(*)::int AS skipped FROM skipped`,
      [phone, OPTED_OUT_REASON, now, WAITING_TO_SEND_STATES],
    );
    return skipped;
  }
}
