import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { RecipientState } from '../common/domain';
import { Page } from '../common/http/pagination.dto';
import { CampaignReportService } from './campaign-report.service';
import { neutralizeCsvValue } from './csv-safety';

export interface RecipientRow {
  id: string;
  phone: string;
  name: string | null;
  state: RecipientState;
  rawStatus: string | null;
  reason: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  failedAt: string | null;
}

export interface RecipientFilter {
  state?: RecipientState;
  reason?: string;
  limit: number;
  offset: number;
}

/** Rows per keyset page of the export: small enough to bound memory, large enough to be cheap. */
export const EXPORT_PAGE_ROWS = 5_000;

export const CSV_COLUMNS: Array<{ key: keyof RecipientRow; header: string }> = [
  { key: 'phone', header: 'phone' },
  { key: 'name', header: 'name' },
  { key: 'state', header: 'state' },
  { key: 'rawStatus', header: 'raw_status' },
  { key: 'reason', header: 'reason' },
  { key: 'sentAt', header: 'sent_at' },
  { key: 'deliveredAt', header: 'delivered_at' },
  { key: 'readAt', header: 'read_at' },
  { key: 'failedAt', header: 'failed_at' },
];

// `r.id` in ORDER BY: the output column `id` is text, and text order would break keyset paging.
const ROW_COLUMNS = `r.id::text AS id, phone, name, state, raw_status AS "rawStatus", reason,
  to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "sentAt",
  to_char(delivered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "deliveredAt",
  to_char(read_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "readAt",
  to_char(failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "failedAt"`;

/** Per-recipient rows of a campaign: a filtered page for the API, every row for the CSV export. */
@Injectable()
export class CampaignRecipientsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reports: CampaignReportService,
  ) {}

  /** In id order (the order recipients were added), so pages are stable while states change. */
  async page(campaignId: string, filter: RecipientFilter): Promise<Page<RecipientRow>> {
    const campaign = await this.reports.campaign(campaignId);
    const where = `campaign_id = $1 AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR reason = $3)`;
    const params = [campaign.id, filter.state ?? null, filter.reason ?? null];
    const [items, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${ROW_COLUMNS} FROM campaign_recipients r WHERE ${where} ORDER BY r.id LIMIT $4 OFFSET $5`,
        [...params, filter.limit, filter.offset],
      ),
      this.dataSource.query(`SELECT count(*)::int AS total FROM campaign_recipients WHERE ${where}`, params),
    ]);
    return { items, total, limit: filter.limit, offset: filter.offset };
  }

  /**
   * Every recipient as CSV (UTF-8 with BOM for Excel, formula-like values neutralized). Rows come in
   * keyset pages pulled only when the consumer wants more, so memory stays flat for a million rows.
   * Throws NotFoundError before the stream starts when the campaign does not exist.
   */
  async exportCsv(campaignId: string): Promise<Readable> {
    const campaign = await this.reports.campaign(campaignId);
    const csv = stringify({
      bom: true,
      header: true,
      columns: CSV_COLUMNS,
      cast: { string: neutralizeCsvValue },
    });
    const rows = Readable.from(this.allRows(campaign.id));
    rows.on('error', (error) => csv.destroy(error));
    return rows.pipe(csv);
  }

  private async *allRows(campaignId: string): AsyncGenerator<RecipientRow> {
    let afterId = '0';
    for (;;) {
      const page: RecipientRow[] = await this.dataSource.query(
        `SELECT ${ROW_COLUMNS} FROM campaign_recipients r WHERE campaign_id = $1 AND r.id > $2 ORDER BY r.id LIMIT $3`,
        [campaignId, afterId, EXPORT_PAGE_ROWS],
      );
      yield* page;
      if (page.length < EXPORT_PAGE_ROWS) return;
      afterId = page[page.length - 1].id;
    }
  }
}
