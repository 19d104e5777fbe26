import { Command } from 'nest-commander';
import { CliCommand } from '../cli/cli-command';
import { CliOptions, printResult } from '../cli/cli-output';
import { ExitCode } from '../cli/exit-codes';
import { ConsistencyCheckJob } from './lifecycle/consistency-check.job';
import { StrandedReport } from './lifecycle/stranded-recipients.service';

/** The consistency check by hand: exit 0 when every unsent recipient will be moved, 1 when some are stranded. */
@Command({
  name: 'doctor',
  description:
    'Consistency check: list recipients waiting to be sent whose campaign and run nothing will move; exit code 1 when there are any',
})
export class DoctorCommand extends CliCommand {
  constructor(private readonly check: ConsistencyCheckJob) {
    super();
  }

  async execute(_params: string[], options: CliOptions): Promise<void> {
    const report = await this.check.run();
    printResult(options, report, describeReport);
    if (report.total > 0) process.exitCode = ExitCode.Failure;
  }
}

function describeReport(report: StrandedReport): string {
  if (report.total === 0) return 'OK: every recipient waiting to be sent belongs to a run that will move it';
  return [
    `${report.total} stranded recipients:`,
    ...report.groups.map(
      (group) =>
        `  ${String(group.count).padStart(7)} ${group.recipientState.padEnd(13)} campaign ${group.campaignId} "${group.campaignName}", run ${group.runId}: ${group.problem}`,
    ),
    'Resume or cancel the campaign (a cancelled campaign skips its unsent recipients).',
  ].join('\n');
}
