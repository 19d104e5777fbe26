import { join } from 'node:path';
import { createContactsHarness, ContactsHarness, FIXTURES } from '../../test/support/contacts-harness';

let harness: ContactsHarness;
beforeAll(async () => (harness = await createContactsHarness()));
afterAll(() => harness.close());

async function importInto(listName: string) {
  const list = await harness.lists.create(listName);
  const job = await harness.queueImport(list.id, join(FIXTURES, 'duplicates-and-invalid.csv'));
  await harness.imports.run(job.id);
  return list;
}

async function optedOutPhones(listId: string) {
  return (await harness.contacts.browse(listId)).items.filter((c) => c.optedOut).map((c) => c.phone);
}

describe('OptOutService', () => {
  it('flags the phone in every list, once, and keeps the first record', async () => {
    const [first, second] = [await importInto('A'), await importInto('B')];
    expect(await harness.optOuts.optOut('+79160000011', 'webhook', 'stop word "STOP"')).toEqual({
      phone: '79160000011',
      created: true,
      contactsUpdated: 2,
      recipientsSkipped: 0,
    });
    expect(await optedOutPhones(first.id)).toEqual(['79160000011']);
    expect(await optedOutPhones(second.id)).toEqual(['79160000011']);

    expect(await harness.optOuts.optOut('79160000011', 'manual')).toEqual({
      phone: '79160000011',
      created: false,
      contactsUpdated: 0,
      recipientsSkipped: 0,
    });
    expect(await harness.optOuts.find('79160000011')).toMatchObject({
      source: 'webhook',
      reason: 'stop word "STOP"',
    });
    expect(await harness.optOuts.isOptedOut('79160000011')).toBe(true);
  });

  it('optIn removes the phone from the register and clears the flags', async () => {
    const list = await importInto('C');
    await harness.optOuts.optOut('79160000013', 'manual');
    expect(await harness.optOuts.optIn('79160000013')).toBe(true);
    expect(await harness.optOuts.isOptedOut('79160000013')).toBe(false);
    expect(await optedOutPhones(list.id)).not.toContain('79160000013');
  });

  it('refuses something that is not a phone, naming the field', async () => {
    await expect(harness.optOuts.optOut('call me', 'manual')).rejects.toThrow(
      'phone: "call me" is not an E.164 phone number',
    );
  });
});
