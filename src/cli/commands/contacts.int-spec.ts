import { join } from 'node:path';
import { ExitCode } from '../exit-codes';
import { ImportCommand, ListsCommand } from './contacts';
import { createContactsHarness, ContactsHarness, FIXTURES } from '../../../test/support/contacts-harness';
import { AuditService } from '../../audit/audit.service';

let harness: ContactsHarness;
beforeAll(async () => (harness = await createContactsHarness()));
afterAll(() => harness.close());
afterEach(() => (process.exitCode = undefined));

/** Runs a command as the CLI would and returns what it printed on stdout. */
async function run(
  command: { run(params: string[], options: object): Promise<void> },
  params: string[],
  options: object,
): Promise<string> {
  let out = '';
  const write = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const error = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await command.run(params, options);
    return out;
  } finally {
    write.mockRestore();
    error.mockRestore();
  }
}

describe('CLI: import and lists', () => {
  const importCommand = () =>
    new ImportCommand(harness.lists, harness.imports, harness.module.get(AuditService));

  it('imports into a list by name (created on request) and prints the counts as JSON', async () => {
    const file = join(FIXTURES, 'google-contacts.csv');
    const out = await run(importCommand(), [file], {
      list: 'From CLI',
      createList: true,
      defaultCountry: 'RU',
      json: true,
    });
    expect(process.exitCode).toBe(ExitCode.Ok);
    expect(JSON.parse(out)).toMatchObject({
      status: 'completed',
      rows: 5,
      imported: 4,
      duplicates: 1,
      invalid: 0,
    });

    const again = await run(importCommand(), [file], {
      list: 'from cli',
      mode: 'skip',
      defaultCountry: 'RU',
      json: true,
    });
    expect(JSON.parse(again)).toMatchObject({ status: 'completed', rows: 5, imported: 0, duplicates: 5 });

    const lists = JSON.parse(await run(new ListsCommand(harness.lists), [], { json: true }));
    expect(lists).toEqual([expect.objectContaining({ name: 'From CLI', contacts: 4 })]);
  });

  it('exits non-zero with the job error when the file is refused, and 3 for an unknown list', async () => {
    const refused = await run(importCommand(), [join(FIXTURES, 'no-phone-column.csv')], {
      list: 'From CLI',
      json: true,
    });
    expect(process.exitCode).toBe(ExitCode.Usage);
    expect(JSON.parse(refused).error.message).toMatch(/failed: No phone column found/);

    process.exitCode = undefined;
    await run(importCommand(), [join(FIXTURES, 'outlook.csv')], { list: 'nope', json: true });
    expect(process.exitCode).toBe(ExitCode.NotFound);
  });
});
