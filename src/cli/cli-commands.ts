/**
 * THE ONE PLACE CLI COMMANDS ARE REGISTERED.
 *
 * To add commands from a domain module:
 *  1. Write each command in your folder as a class extending `CliCommand` (src/cli/cli-command.ts),
 *     decorated with nest-commander's `@Command({ name, arguments, description })`. Keep it thin:
 *     parse arguments, call your service, `printResult(options, data, toText)`; throw DomainError /
 *     UsageError for failures (they become exit codes 2/3/4); pass `CLI_ACTOR` to anything audited;
 *     use `startProgress(options, label, total)` (src/cli/progress.ts) for long work.
 *  2. Export them as one array from `src/<module>/<module>.commands.ts`, e.g.
 *     `export const CONTACTS_COMMANDS = [CreateListCommand, ImportCommand];`
 *  3. Spread the array into APP_COMMANDS below. The commands run inside the full AppModule (crons
 *     off), so they can inject any exported service. Nothing else needs registering.
 *
 * STANDALONE_COMMANDS need no application: they start without the AppModule (and, except
 * `migrate`, without a database), so they work on a fresh or broken install.
 */
import { CAMPAIGNS_COMMANDS } from '../campaigns/campaigns.commands';
import { CONTACTS_COMMANDS } from '../contacts/contacts.commands';
import { DELIVERY_COMMANDS } from '../delivery/delivery.commands';
import { REPORTS_COMMANDS } from '../reports/reports.commands';
import { ApiKeyCommand } from './commands/api-key.command';
import { MigrateCommand } from './commands/migrate.command';
import { SandboxCommand } from './commands/sandbox.command';

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
