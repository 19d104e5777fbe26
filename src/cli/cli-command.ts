import { CommandRunner, Option } from 'nest-commander';
import type { Command as CommanderCommand } from 'commander';
import { CliOptions, printError } from './cli-output';
import { exitCodeFor, ExitCode } from './exit-codes';

/** What the audit log records for anything done from the command line (the machine's operator: admin). */
export { CLI_ACTOR } from '../common/actor';

/**
 * Base of every command. Subclasses implement `execute` and throw typed errors; this turns them
 * into the exit code (DomainError.kind → 2/3/4, others 1) and prints them, as text or `--json`.
 *
 *   @Command({ name: 'pause', arguments: '<campaign>', description: 'Pause a running campaign' })
 *   export class PauseCampaignCommand extends CliCommand {
 *     constructor(private readonly campaigns: CampaignsService) { super(); }
 *     async execute([id]: string[], options: CliOptions): Promise<void> {
 *       const campaign = await this.campaigns.pause(id, CLI_ACTOR);
 *       printResult(options, campaign, (c) => `Campaign ${c.id} is ${c.state}`);
 *     }
 *   }
 */
export abstract class CliCommand<Options extends CliOptions = CliOptions> extends CommandRunner {
  abstract execute(params: string[], options: Options): Promise<void>;

  async run(params: string[], options: Options = {} as Options): Promise<void> {
    try {
      await this.execute(params, options);
    } catch (error) {
      printError(options, error);
      process.exitCode = exitCodeFor(error);
      return;
    }
    process.exitCode ??= ExitCode.Ok;
  }

  /** Commander exits by itself on usage errors in subcommands; make it throw so main maps them to 2. */
  override setCommand(command: CommanderCommand): this {
    command.exitOverride();
    return super.setCommand(command);
  }

  @Option({ flags: '--json', description: 'print the result as JSON on stdout' })
  parseJson(): boolean {
    return true;
  }
}
