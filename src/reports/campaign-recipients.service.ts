import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { Page } from '../common/http/pagination.dto';
import {
  RecipientReportsStore,
  RecipientRow,
  RecipientRowFilter,
} from '../recipients/recipient-reports.store';
import { CampaignReportService } from './campaign-report.service';
import { safeCsvStringifier } from '../common/csv/safe-csv';

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

/** Per-recipient rows of a campaign: a filtered page for the API, every row for the CSV export. */
@Injectable()
export class CampaignRecipientsService {
  constructor(
    private readonly recipients: RecipientReportsStore,
    private readonly reports: CampaignReportService,
  ) {}

  /** In id order (the order recipients were added), so pages are stable while states change. */
  async page(campaignId: string, filter: RecipientRowFilter): Promise<Page<RecipientRow>> {
    const campaign = await this.reports.campaign(campaignId);
    const { items, total } = await this.recipients.page(campaign.id, filter);
    return { items, total, limit: filter.limit, offset: filter.offset };
  }

  /**
   * Every recipient as CSV (UTF-8 with BOM for Excel, formula-like values neutralized). Rows come in
   * keyset pages pulled only when the consumer wants more, so memory stays flat for a million rows.
   * Throws NotFoundError before the stream starts when the campaign does not exist.
   */
  async exportCsv(campaignId: string): Promise<Readable> {
    const campaign = await this.reports.campaign(campaignId);
    const csv = safeCsvStringifier({ columns: CSV_COLUMNS });
    const rows = Readable.from(this.allRows(campaign.id));
    rows.on('error', (error) => csv.destroy(error));
    return rows.pipe(csv);
  }

  private async *allRows(campaignId: string): AsyncGenerator<RecipientRow> {
    let afterId = '0';
    for (;;) {
      const page = await this.recipients.rowsAfter(campaignId, afterId, EXPORT_PAGE_ROWS);
      yield* page;
      if (page.length < EXPORT_PAGE_ROWS) return;
      afterId = page[page.length - 1].id;
    }
  }
}
