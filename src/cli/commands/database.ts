import { Inject } from '@nestjs/common';
import { Command, Option } from 'nest-commander';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { revertMigrations, runMigrations } from '../../database/migrations';
import { CliCommand } from '../cli-command';
import { CliOptions, printResult } from '../cli-output';
import { UsageError } from '../exit-codes';

interface MigrateOptions extends CliOptions {
  steps?: number;
}

@Command({
  name: 'migrate',
  arguments: '<direction>',
  description: 'up: apply pending migrations; down: revert the last one (or --steps N)',
})
export class MigrateCommand extends CliCommand<MigrateOptions> {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  async execute([direction]: string[], options: MigrateOptions): Promise<void> {
    const url = this.config.databaseUrl!;
    if (direction === 'up') {
      const applied = await runMigrations(url);
      printResult(options, { applied }, () =>
        applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations',
      );
    } else if (direction === 'down') {
      const reverted = await revertMigrations(url, options.steps ?? 1);
      printResult(options, { reverted }, () =>
        reverted ? `Reverted ${reverted} migration(s)` : 'No migration to revert',
      );
    } else {
      throw new UsageError(`migrate: expected "up" or "down", got "${direction}"`);
    }
  }

  @Option({ flags: '--steps <n>', description: 'how many migrations "down" reverts (default 1)' })
  parseSteps(value: string): number {
    const steps = Number(value);
    if (!Number.isInteger(steps) || steps < 1)
      throw new UsageError(`--steps: expected a positive integer, got "${value}"`);
    return steps;
  }
}
