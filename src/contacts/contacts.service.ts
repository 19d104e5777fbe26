import { Injectable } from '@nestjs/common';
import { ContactListStore } from './contact-list.store';
import { ContactListsService } from './contact-lists.service';
import type { Contact } from './contact.types';

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
}
