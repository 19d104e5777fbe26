/**
 * THE ONE PLACE CLI COMMANDS ARE REGISTERED.
 *
 * To add commands for a domain module:
 *  1. Write each command in `src/cli/commands/<domain>.ts` as a class extending `CliCommand` (../cli-command.ts),
 *     decorated with nest-commander's `@Command({ name, arguments, description })`. Keep it thin:
 *     parse arguments, call your service, `printResult(options, data, toText)`; throw DomainError /
 *     UsageError for failures (they become exit codes 2/3/4); pass `CLI_ACTOR` to anything audited;
 *     use `startProgress(options, label, total)` (src/cli/progress.ts) for long work.
 *  2. Export them as one array from that file, e.g.
 *     `export const CONTACTS_COMMANDS = [CreateListCommand, ImportCommand];`
 *     The CLI depends on the domain modules, never the other way round.
 *  3. Spread the array into APP_COMMANDS below. The commands run inside the full AppModule (crons
 *     off), so they can inject any exported service. Nothing else needs registering.
 *
 * STANDALONE_COMMANDS need no application: they start without the AppModule (and, except
 * `migrate`, without a database), so they work on a fresh or broken install.
 */
import { CAMPAIGNS_COMMANDS } from './commands/campaigns';
import { CONTACTS_COMMANDS } from './commands/contacts';
import { DELIVERY_COMMANDS } from './commands/delivery';
import { REPORTS_COMMANDS } from './commands/reports';
import { ApiKeyCommand } from './commands/auth';
import { MigrateCommand } from './commands/database';
import { SandboxCommand } from './commands/sandbox';

export const STANDALONE_COMMANDS = [MigrateCommand, SandboxCommand];

/** Names of standalone commands that need the database URL resolved (embedded server started). */
export const DATABASE_COMMAND_NAMES = ['migrate'];
export const STANDALONE_COMMAND_NAMES = ['migrate', 'sandbox'];

export const APP_COMMANDS = [
  ApiKeyCommand,
  ...CONTACTS_COMMANDS,
  ...CAMPAIGNS_COMMANDS,
  ...DELIVERY_COMMANDS,
  ...REPORTS_COMMANDS,
];
