import { Command, Option } from 'nest-commander';
import { createReadStream, existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { CLI_ACTOR, CliCommand } from '../cli-command';
import { AuditService } from '../../audit/audit.service';
import { CliOptions, printResult } from '../cli-output';
import { UsageError } from '../exit-codes';
import { startProgress } from '../progress';
import { DomainError, NotFoundError } from '../../common/errors/domain-error';
import { ContactListsService } from '../../contacts/contact-lists.service';
import { ImportResponse } from '../../contacts/dto/import.dto';
import { ListResponse } from '../../contacts/dto/list.dto';
import { ImportService } from '../../contacts/import.service';
import type { ImportMode } from '../../contacts/import/import.types';
import { OPT_OUT_COMMANDS } from './opt-outs';

interface ImportOptions extends CliOptions {
  list?: string;
  defaultCountry?: string;
  mode?: ImportMode;
  phoneColumn?: string;
  nameColumn?: string;
  createList?: boolean;
}

/** The import job ended `failed`: exit non-zero with the job's own explanation. */
export class ImportFailedError extends DomainError {
  constructor(job: ImportResponse) {
    super('invalid', 'import_failed', `Import ${job.id} failed: ${job.error}`, { import: job });
  }
}

@Command({
  name: 'import',
  arguments: '<file>',
  description:
    'Import a CSV into a list (by name or id) and print the counts; exit code 2 when the file is refused',
})
export class ImportCommand extends CliCommand<ImportOptions> {
  constructor(
    private readonly lists: ContactListsService,
    private readonly imports: ImportService,
    private readonly audit: AuditService,
  ) {
    super();
  }

  async execute([file]: string[], options: ImportOptions): Promise<void> {
    if (!file) throw new UsageError('import: give the CSV file to import');
    if (!options.list) throw new UsageError('import: --list <name|id> is required');
    const path = resolve(file);
    if (!existsSync(path)) throw new UsageError(`import: no such file: ${path}`);
    const listId = await this.resolveList(options.list, options.createList ?? false);
    // Stored in PostgreSQL like an upload, so any instance could resume the job if this command dies.
    const upload = await this.imports.storeUpload(createReadStream(path));
    const job = await this.imports.create({
      listId,
      upload,
      originalName: basename(path),
      defaultCountry: options.defaultCountry,
      mode: options.mode,
      phoneColumn: options.phoneColumn,
      nameColumn: options.nameColumn,
    });
    await this.audit.record({
      actor: CLI_ACTOR,
      action: 'import.started',
      entityType: 'import',
      entityId: job.id,
      details: { listId, fileName: job.originalName, bytes: job.fileBytes },
    });
    const progress = startProgress(options, `Importing ${basename(path)}`, job.fileBytes);
    const done = await this.imports
      .run(job.id, (step) => progress.update(step.bytesRead))
      .finally(() => progress.stop());
    const result = ImportResponse.of(done);
    if (result.status !== 'completed') throw new ImportFailedError(result);
    printResult(options, result, describeImport);
  }

  private async resolveList(idOrName: string, create: boolean): Promise<string> {
    const list = await this.lists.findByIdOrName(idOrName);
    if (list) return list.id;
    if (!create) throw new NotFoundError('List', `${idOrName} (add --create-list to create it)`);
    const created = await this.lists.create(idOrName);
    await this.audit.record({
      actor: CLI_ACTOR,
      action: 'list.created',
      entityType: 'list',
      entityId: created.id,
      details: { name: created.name },
    });
    return created.id;
  }

  @Option({ flags: '--list <name|id>', description: 'the list to import into', required: true })
  parseList(value: string): string {
    return value;
  }

  @Option({ flags: '--create-list', description: 'create the list when no list has that name' })
  parseCreateList(): boolean {
    return true;
  }

  @Option({
    flags: '--default-country <code>',
    description: 'ISO 3166 alpha-2 country for numbers without +country code, e.g. RU',
  })
  parseDefaultCountry(value: string): string {
    if (!/^[a-z]{2}$/i.test(value))
      throw new UsageError(
        `--default-country: expected a two-letter country code such as RU, got "${value}"`,
      );
    return value.toUpperCase();
  }

  @Option({
    flags: '--mode <update|skip>',
    description: 'phones already in the list: update them (default) or skip them',
  })
  parseMode(value: string): ImportMode {
    if (value !== 'update' && value !== 'skip')
      throw new UsageError(`--mode: expected update or skip, got "${value}"`);
    return value;
  }

  @Option({ flags: '--phone-column <header>', description: 'header of the phone column, when not detected' })
  parsePhoneColumn(value: string): string {
    return value;
  }

  @Option({ flags: '--name-column <header>', description: 'header of the name column, when not detected' })
  parseNameColumn(value: string): string {
    return value;
  }
}

@Command({ name: 'lists', description: 'List the contact lists with their contact counts' })
export class ListsCommand extends CliCommand {
  constructor(private readonly lists: ContactListsService) {
    super();
  }

  async execute(_params: string[], options: CliOptions): Promise<void> {
    const lists = (await this.lists.list()).map((list) => ListResponse.of(list));
    printResult(options, lists, (all) =>
      all.length === 0
        ? 'No lists yet: import one with `import <file> --list <name> --create-list`'
        : all
            .map(
              (list) =>
                `${list.id}  ${String(list.contacts).padStart(9)} contacts  ${list.optedOut} opted out  ${list.name}`,
            )
            .join('\n'),
    );
  }
}

function describeImport(job: ImportResponse): string {
  return [
    `Import ${job.id} completed: ${job.rows} rows`,
    `  imported   ${job.imported}`,
    `  updated    ${job.updated}`,
    `  duplicates ${job.duplicates}`,
    `  invalid    ${job.invalid}${job.invalid + job.duplicates > 0 ? `  (rows and reasons: GET /api/imports/${job.id}/rejected.csv)` : ''}`,
  ].join('\n');
}

export const CONTACTS_COMMANDS = [ImportCommand, ListsCommand, ...OPT_OUT_COMMANDS];
