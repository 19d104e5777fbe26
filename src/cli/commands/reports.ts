import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'nest-commander';
import { CliCommand } from '../cli-command';
import { CliOptions, printResult } from '../cli-output';
import { UsageError } from '../exit-codes';
import { CampaignRecipientsService } from '../../reports/campaign-recipients.service';
import { CampaignReport, CampaignReportService } from '../../reports/campaign-report.service';
import { QuotaOverview, QuotaOverviewService } from '../../reports/quota-overview.service';

@Command({
  name: 'report',
  arguments: '<campaign>',
  description: 'Delivery report of a campaign (counts, rates, failure reasons, requests)',
})
export class ReportCommand extends CliCommand {
  constructor(private readonly reports: CampaignReportService) {
    super();
  }

  async execute([campaignId]: string[], options: CliOptions): Promise<void> {
    printResult(options, await this.reports.report(campaignId), describeReport);
  }
}

interface ExportOptions extends CliOptions {
  out?: string;
}

@Command({
  name: 'export',
  arguments: '<campaign>',
  description: 'Write every recipient of a campaign to a CSV file (UTF-8 with BOM)',
})
export class ExportCommand extends CliCommand<ExportOptions> {
  constructor(private readonly recipients: CampaignRecipientsService) {
    super();
  }

  async execute([campaignId]: string[], options: ExportOptions): Promise<void> {
    if (!options.out) throw new UsageError('--out <file.csv> is required');
    const csv = await this.recipients.exportCsv(campaignId);
    const { total } = await this.recipients.page(campaignId, { limit: 1, offset: 0 });
    await pipeline(csv, createWriteStream(options.out));
    printResult(
      options,
      { campaignId, file: options.out, recipients: total },
      (result) => `Wrote ${result.recipients} recipients to ${result.file}`,
    );
  }

  @Option({ flags: '--out <file>', description: 'CSV file to write', required: true })
  parseOut(value: string): string {
    return value;
  }
}

interface QuotaOptions extends CliOptions {
  refresh?: boolean;
}

@Command({
  name: 'quota',
  description: 'Chat2Desk API mode, monthly limit, usage, campaign reservations and rate limit',
})
export class QuotaCommand extends CliCommand<QuotaOptions> {
  constructor(private readonly quota: QuotaOverviewService) {
    super();
  }

  async execute(_params: string[], options: QuotaOptions): Promise<void> {
    printResult(options, await this.quota.overview(options.refresh ?? false), describeQuota);
  }

  @Option({
    flags: '--refresh',
    description: "spend one api_info request to read Chat2Desk's own counter now",
  })
  parseRefresh(): boolean {
    return true;
  }
}

export const REPORTS_COMMANDS = [ReportCommand, ExportCommand, QuotaCommand];

function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}

export function describeReport(report: CampaignReport): string {
  const counts = Object.entries(report.counts)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${state} ${count}`)
    .join(', ');
  const lines = [
    `${report.name} (${report.campaignId}) — ${report.state}`,
    `recipients: ${report.recipients}${counts ? ` (${counts})` : ''}`,
    `delivered: ${percent(report.deliveryRate)}   read: ${percent(report.readRate)}   opted out after send: ${report.optedOutAfterSend}`,
    `API requests: ${report.apiRequests.total} (forecast ${report.quota.forecast ?? '—'})${Object.entries(
      report.apiRequests.byKind,
    )
      .map(([kind, count]) => `, ${kind} ${count}`)
      .join('')}`,
    `started: ${report.startedAt ?? '—'}   finished: ${report.finishedAt ?? '—'}   duration: ${report.durationSeconds ?? '—'} s`,
  ];
  if (report.failureReasons.length > 0) {
    lines.push(
      'not delivered:',
      ...report.failureReasons.map(
        (reason) => `  ${String(reason.count).padStart(7)}  ${reason.state}: ${reason.reason}`,
      ),
    );
  }
  return lines.join('\n');
}

export function describeQuota(quota: QuotaOverview): string {
  return [
    `month ${quota.month}, mode ${quota.mode ?? 'unknown'}, limit ${quota.limit ?? 'unlimited'}`,
    `used: ${quota.used.local} here, ${quota.used.service ?? '—'} by Chat2Desk's count, ${quota.used.ledger} in the ledger`,
    `reserved by scheduled/running campaigns: ${quota.reservedByCampaigns}, kept in reserve: ${quota.reserve}`,
    `available to campaigns: ${quota.available ?? 'unlimited'}   rate limit: ${quota.rateLimitPerSecond}/s`,
  ].join('\n');
}
