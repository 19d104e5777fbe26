import { Clock } from '../common/clock/clock';
import { RequestOutcome } from './chat2desk.errors';
import { RequestKind } from './chat2desk.types';
import { Sql } from '../database/sql';

export interface LedgerEntry {
  endpoint: string;
  kind: RequestKind;
  outcome: RequestOutcome;
  campaignId?: string;
}

export interface LedgerRow extends Required<Omit<LedgerEntry, 'campaignId'>> {
  month: string;
  campaignId: string | null;
  count: number;
}

const FLUSH_INTERVAL_MS = 1_000;

/**
 * Every request made to Chat2Desk, counted in Postgres by month, endpoint, kind, outcome and campaign.
 * Counts are aggregated in memory and flushed at most a second later (and on close), so the hot path
 * costs a map update, not a database write.
 */
export class RequestLedger {
  private pending = new Map<string, LedgerRow>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  record(entry: LedgerEntry): void {
    const month = this.clock.now().toISOString().slice(0, 7);
    const campaignId = entry.campaignId ?? null;
    this.add({
      month,
      endpoint: entry.endpoint,
      kind: entry.kind,
      outcome: entry.outcome,
      campaignId,
      count: 1,
    });
  }

  /**
   * Writes what was counted so far; flushes run one after another. A failed flush (the database
   * away for a moment) rejects its callers only: the next one starts afresh with the kept counts.
   */
  flush(): Promise<void> {
    const next = this.flushing.catch(() => undefined).then(() => this.writePending());
    this.flushing = next;
    return next;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Rows of the ledger, optionally for one month and/or campaign (flushes first). */
  async rows(filter: { month?: string; campaignId?: string } = {}): Promise<LedgerRow[]> {
    await this.flush();
    const rows = await this.sql<{
      month: string;
      endpoint: string;
      kind: RequestKind;
      outcome: RequestOutcome;
      campaign_id: string;
      count: number;
    }>(
      `SELECT month, endpoint, kind, outcome, campaign_id, count FROM chat2desk_request_ledger
       WHERE ($1::text IS NULL OR month = $1) AND ($2::text IS NULL OR campaign_id = $2)
       ORDER BY month, endpoint, kind, outcome`,
      [filter.month ?? null, filter.campaignId ?? null],
    );
    return rows.map((row) => ({
      ...row,
      campaignId: row.campaign_id === '' ? null : row.campaign_id,
      count: Number(row.count),
    }));
  }

  /** Requests by kind for one campaign, e.g. {send: 1000, lookup: 12, status_poll: 9}. */
  async countsByKind(campaignId: string): Promise<Partial<Record<RequestKind, number>>> {
    const counts: Partial<Record<RequestKind, number>> = {};
    for (const row of await this.rows({ campaignId })) counts[row.kind] = (counts[row.kind] ?? 0) + row.count;
    return counts;
  }

  private async writePending(): Promise<void> {
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.sql(
        `INSERT INTO chat2desk_request_ledger (month, endpoint, kind, outcome, campaign_id, count)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
         ON CONFLICT (month, endpoint, kind, outcome, campaign_id)
         DO UPDATE SET count = chat2desk_request_ledger.count + excluded.count`,
        [
          rows.map((row) => row.month),
          rows.map((row) => row.endpoint),
          rows.map((row) => row.kind),
          rows.map((row) => row.outcome),
          rows.map((row) => row.campaignId ?? ''),
          rows.map((row) => row.count),
        ],
      );
    } catch (error) {
      // Keep the counts for the next flush rather than lose them to a database hiccup.
      for (const row of rows) this.add(row);
      throw error;
    }
  }

  private add(row: LedgerRow): void {
    const key = `${row.month}|${row.endpoint}|${row.kind}|${row.outcome}|${row.campaignId ?? ''}`;
    const current = this.pending.get(key);
    if (current) current.count += row.count;
    else this.pending.set(key, { ...row });
  }
}
