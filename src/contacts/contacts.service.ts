import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ContactListsService } from './contact-lists.service';
import { Contact } from './entities/contact.entity';

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
/** ICU case folding: the embedded server's C locale would only fold ASCII, and names are often Cyrillic. */
const NAME_MATCHES = 'contact.name COLLATE "und-x-icu" ILIKE :pattern';
export const MAX_PAGE_SIZE = 1000;

@Injectable()
export class ContactsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly lists: ContactListsService,
  ) {}

  /** A page of a list's contacts in import order, optionally filtered by phone or name. */
  async browse(listId: string, query: BrowseQuery = {}): Promise<ContactPage> {
    await this.lists.assertExists(listId);
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const offset = Math.max(query.offset ?? 0, 0);
    const builder = this.dataSource
      .getRepository(Contact)
      .createQueryBuilder('contact')
      .where('contact.list_id = :listId', { listId });
    const search = query.search?.trim();
    if (search) {
      const digits = search.replace(/\D/g, '');
      const pattern = `%${escapeLike(search)}%`;
      builder.andWhere(digits.length > 0 ? `(${NAME_MATCHES} OR contact.phone LIKE :digits)` : NAME_MATCHES, {
        pattern,
        digits: `%${digits}%`,
      });
    }
    const [items, total] = await builder.orderBy('contact.id').skip(offset).take(limit).getManyAndCount();
    return { items, total, limit, offset };
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
