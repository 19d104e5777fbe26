import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';

/** The one read of the quota overview that spans campaigns and the Chat2Desk request ledger. */
@Injectable()
export class QuotaOverviewStore {
  constructor(private readonly database: Database) {}

  /** Forecast requests of scheduled and running campaigns that the ledger has not seen spent yet. */
  async reservedByCampaigns(): Promise<number> {
    const [row] = await this.database.sql<{ reserved: number }>(
      `SELECT coalesce(sum(greatest(f.forecast - coalesce(s.spent, 0), 0)), 0)::int AS reserved
       FROM (SELECT id::text AS id, (forecast->>'total')::int AS forecast FROM campaigns
             WHERE state IN ('scheduled', 'running') AND forecast->>'total' IS NOT NULL) f
       LEFT JOIN (SELECT campaign_id, sum(count) AS spent FROM chat2desk_request_ledger WHERE campaign_id <> '' GROUP BY campaign_id) s
         ON s.campaign_id = f.id`,
    );
    return row.reserved;
  }
}
