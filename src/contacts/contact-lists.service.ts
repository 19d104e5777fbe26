import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-error';
import { normalizeName } from '../common/names';
import { ContactListStore, ContactListSummary } from './contact-list.store';
import type { ContactList } from './contact.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_NAME_LENGTH = 200;

@Injectable()
export class ContactListsService {
  constructor(private readonly store: ContactListStore) {}

  async create(name: string): Promise<ContactList> {
    return this.store.insert(validName(name));
  }

  async list(): Promise<ContactListSummary[]> {
    return this.store.summaries();
  }

  /** The list with its contact counts; NotFoundError when absent. */
  async get(id: string): Promise<ContactListSummary> {
    const [summary] = UUID.test(id) ? await this.store.summaries(id) : [];
    if (!summary) throw new NotFoundError('List', id);
    return summary;
  }

  /** Fails with NotFoundError unless the list exists; cheap guard for other services. */
  async assertExists(id: string): Promise<ContactList> {
    const list = UUID.test(id) ? await this.store.findById(id) : null;
    if (!list) throw new NotFoundError('List', id);
    return list;
  }

  /** For the CLI: a list id, or a name (case-insensitive). */
  async findByIdOrName(idOrName: string): Promise<ContactList | null> {
    if (UUID.test(idOrName)) {
      const byId = await this.store.findById(idOrName);
      if (byId) return byId;
    }
    return this.store.findByName(idOrName.normalize('NFC').trim());
  }

  async rename(id: string, name: string): Promise<ContactList> {
    await this.assertExists(id);
    const renamed = await this.store.rename(id, validName(name));
    if (!renamed) throw new NotFoundError('List', id);
    return renamed;
  }

  /** Deletes the list with its contacts and import jobs. */
  async delete(id: string): Promise<void> {
    await this.assertExists(id);
    await this.store.delete(id);
  }
}

/** NFC, trimmed, no control or invisible characters: names are unique in this form (case-insensitively). */
function validName(name: string): string {
  return normalizeName('name', name, MAX_NAME_LENGTH);
}
