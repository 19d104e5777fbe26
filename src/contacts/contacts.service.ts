import { Injectable } from '@nestjs/common';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-error';
import { ContactListStore } from './contact-list.store';
import { ContactListsService } from './contact-lists.service';
import type { Contact } from './contact.types';
import { MAX_ATTRIBUTE_VALUE_LENGTH, MAX_CONTACT_NAME_LENGTH } from './import/contacts-file-parser';
import { readTypedPhone } from './typed-phone';

export interface NewContact {
  /** Any written form; without a country code read in `defaultCountry` (RU when not given). */
  phone: string;
  name?: string | null;
  attributes?: Record<string, string>;
  defaultCountry?: string;
}

export interface ContactChanges {
  name?: string | null;
  attributes?: Record<string, string>;
}

export interface BrowseQuery {
  /** Part of the phone (digits) or of the name, case-insensitive. */
  search?: string;
  limit?: number;
  offset?: number;
}

export interface ContactPage {
  items: Contact[];
  total: number;
  limit: number;
  offset: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

@Injectable()
export class ContactsService {
  constructor(
    private readonly store: ContactListStore,
    private readonly lists: ContactListsService,
  ) {}

  /** A page of a list's contacts in import order, optionally filtered by phone or name. */
  async browse(listId: string, query: BrowseQuery = {}): Promise<ContactPage> {
    await this.lists.assertExists(listId);
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const offset = Math.max(query.offset ?? 0, 0);
    const search = query.search?.trim() || undefined;
    const { items, total } = await this.store.browseContacts(listId, { search, limit, offset });
    return { items, total, limit, offset };
  }

  /** One contact typed by hand (yourself, for a test): its phone read as imports read it. */
  async add(listId: string, input: NewContact): Promise<Contact> {
    await this.lists.assertExists(listId);
    const normalized = readTypedPhone(input.phone, input.defaultCountry);
    return this.store.insertContact(listId, {
      phone: normalized.phone,
      name: validName(input.name),
      attributes: validAttributes(input.attributes ?? {}),
      phoneType: normalized.type,
      country: normalized.country,
    });
  }

  async update(listId: string, id: string, changes: ContactChanges): Promise<Contact> {
    assertContactId(id);
    const updated = await this.store.updateContact(listId, id, {
      ...(changes.name !== undefined ? { name: validName(changes.name) } : {}),
      ...(changes.attributes !== undefined ? { attributes: validAttributes(changes.attributes) } : {}),
    });
    if (!updated) throw new NotFoundError('Contact', id);
    return updated;
  }

  async remove(listId: string, id: string): Promise<void> {
    assertContactId(id);
    if (!(await this.store.deleteContact(listId, id))) throw new NotFoundError('Contact', id);
  }
}

/** Contact ids are bigints: anything else names no contact (and must not reach PostgreSQL as one). */
function assertContactId(id: string): void {
  if (!/^[1-9]\d{0,17}$/.test(id)) throw new NotFoundError('Contact', id);
}

/** The limits imports apply per row. */
function validName(name: string | null | undefined): string | null {
  const trimmed = name?.trim() || null;
  if (trimmed && trimmed.length > MAX_CONTACT_NAME_LENGTH)
    throw new InvalidInputError('name', `must be at most ${MAX_CONTACT_NAME_LENGTH} characters`);
  return trimmed;
}

function validAttributes(attributes: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value !== 'string')
      throw new InvalidInputError(`attributes.${key}`, 'must be a string, e.g. {"city": "Москва"}');
    if (value.length > MAX_ATTRIBUTE_VALUE_LENGTH)
      throw new InvalidInputError(
        `attributes.${key}`,
        `must be at most ${MAX_ATTRIBUTE_VALUE_LENGTH} characters`,
      );
  }
  return attributes;
}
