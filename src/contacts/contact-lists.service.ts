import { Injectable } from '@nestjs/common';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-error';
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
    return this.store.findByName(idOrName.trim());
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

function validName(name: string): string {
  const trimmed = (name ?? '').trim();
  if (!trimmed) throw new InvalidInputError('name', 'must not be empty');
  if (trimmed.length > MAX_NAME_LENGTH)
    throw new InvalidInputError('name', `must be at most ${MAX_NAME_LENGTH} characters`);
  return trimmed;
}
