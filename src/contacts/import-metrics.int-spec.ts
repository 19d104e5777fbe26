import { join } from 'node:path';
import { createContactsHarness, ContactsHarness, FIXTURES } from '../../test/support/contacts-harness';

let harness: ContactsHarness;
beforeAll(async () => (harness = await createContactsHarness()));
afterAll(() => harness.close());

describe('import outcomes (what metrics subscribes to)', () => {
  it('announces the rows by result and a rows/s of 0 when the import ends', async () => {
    const calls: Array<[string, ...unknown[]]> = [];
    harness.runner.rowsProcessed.subscribe(({ result, count }) => calls.push(['rows', result, count]));
    harness.runner.throughput.subscribe((rate) => calls.push(['rate', rate]));
    const list = await harness.lists.create('metrics');
    const job = await harness.queueImport(list.id, join(FIXTURES, 'duplicates-and-invalid.csv'));
    expect(await harness.imports.run(job.id)).toMatchObject({ status: 'completed', rows: 8 });
    expect(calls.filter(([kind]) => kind === 'rows')).toEqual([
      ['rows', 'imported', 4],
      ['rows', 'updated', 0],
      ['rows', 'duplicate', 2],
      ['rows', 'invalid', 2],
    ]);
    expect(calls.some(([kind, rate]) => kind === 'rate' && (rate as number) > 0)).toBe(true);
    expect(calls[calls.length - 1]).toEqual(['rate', 0]);
  });
});
