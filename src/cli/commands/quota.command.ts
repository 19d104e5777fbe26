import { Command } from 'nest-commander';
import { Chat2DeskStatus, Chat2DeskStatusSnapshot } from '../../chat2desk/chat2desk-status';
import { QuotaService, QuotaStatus } from '../../chat2desk/quota.service';
import { CliCommand } from '../cli-command';
import { CliOptions, printResult } from '../cli-output';

@Command({ name: 'quota', description: "This month's Chat2Desk request quota: limit, used, reserve, remaining" })
export class QuotaCommand extends CliCommand {
  constructor(
    private readonly quota: QuotaService,
    private readonly chat2desk: Chat2DeskStatus,
  ) {
    super();
  }

  async execute(_params: string[], options: CliOptions): Promise<void> {
    // One api_info (the boot check's, when still in flight) so mode and the service's count are current.
    const account = await this.chat2desk.check();
    printResult(options, { ...(await this.quota.status()), chat2desk: account }, describe);
  }
}

function describe(status: QuotaStatus & { chat2desk: Chat2DeskStatusSnapshot }): string {
  const show = (value: number | null) => (value === null ? 'unlimited / unknown' : String(value));
  return [
    `chat2desk: ${status.chat2desk.state}${status.chat2desk.error ? ` (${status.chat2desk.error})` : ''}`,
    `month:     ${status.month}`,
    `mode:      ${status.mode ?? 'unknown'}`,
    `limit:     ${show(status.limit)}`,
    `used:      ${status.usedLocal} (this app's ledger)${status.usedReported === null ? '' : `, ${status.usedReported} reported by Chat2Desk`}`,
    `reserve:   ${status.reserve}`,
    `remaining: ${show(status.remaining)}`,
  ].join('\n');
}
