import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { DomainError, InvalidInputError, NotFoundError } from '../common/errors/domain-error';
import { ContactList } from './entities/contact-list.entity';

export interface ContactListSummary {
  id: string;
  name: string;
  contacts: number;
  optedOut: number;
  createdAt: Date;
  updatedAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_NAME_LENGTH = 200;

@Injectable()
export class ContactListsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(name: string): Promise<ContactList> {
    const list = this.dataSource.getRepository(ContactList).create({ name: validName(name) });
    return this.saveUnique(list);
  }

  async list(): Promise<ContactListSummary[]> {
    return this.summaries();
  }

  /** The list with its contact counts; NotFoundError when absent. */
  async get(id: string): Promise<ContactListSummary> {
    const [summary] = UUID.test(id) ? await this.summaries(id) : [];
    if (!summary) throw new NotFoundError('List', id);
    return summary;
  }

  /** Fails with NotFoundError unless the list exists; cheap guard for other services. */
  async assertExists(id: string): Promise<ContactList> {
    const list = UUID.test(id) ? await this.dataSource.getRepository(ContactList).findOneBy({ id }) : null;
    if (!list) throw new NotFoundError('List', id);
    return list;
  }

  /** For the CLI: a list id, or a name (case-insensitive). */
  async findByIdOrName(idOrName: string): Promise<ContactList | null> {
    const repository = this.dataSource.getRepository(ContactList);
    if (UUID.test(idOrName)) {
      const byId = await repository.findOneBy({ id: idOrName });
      if (byId) return byId;
    }
    return repository
      .createQueryBuilder('list')
      .where('lower(list.name) = lower(:name)', { name: idOrName.trim() })
      .getOne();
  }

  async rename(id: string, name: string): Promise<ContactList> {
    const list = await this.assertExists(id);
    list.name = validName(name);
    return this.saveUnique(list);
  }

  /** Deletes the list with its contacts and import jobs. */
  async delete(id: string): Promise<void> {
    await this.assertExists(id);
    try {
      await this.dataSource.getRepository(ContactList).delete({ id });
    } catch (error) {
      if (pgCode(error) === '23503') {
        throw new DomainError(
          'conflict',
          'list_in_use',
          `List ${id} is used by campaigns; delete or change them first`,
          { id },
        );
      }
      throw error;
    }
  }

  private async saveUnique(list: ContactList): Promise<ContactList> {
    try {
      return await this.dataSource.getRepository(ContactList).save(list);
    } catch (error) {
      if (pgCode(error) === '23505') {
        throw new DomainError('conflict', 'list_name_taken', `A list named "${list.name}" already exists`, {
          name: list.name,
        });
      }
      throw error;
    }
  }

  private async summaries(id?: string): Promise<ContactListSummary[]> {
    const rows: Array<ContactListSummary & { contacts: string; optedOut: string }> =
      await this.dataSource.query(
        `SELECT l.id, l.name, l.created_at AS "createdAt", l.updated_at AS "updatedAt",
              coalesce(c.contacts, 0) AS contacts, coalesce(c.opted_out, 0) AS "optedOut"
       FROM contact_lists l
       LEFT JOIN LATERAL (
         SELECT count(*) AS contacts, count(*) FILTER (WHERE opted_out) AS opted_out FROM contacts WHERE list_id = l.id
       ) c ON true
       ${id ? 'WHERE l.id = $1' : ''}
       ORDER BY l.created_at, l.name`,
        id ? [id] : [],
      );
    return rows.map((row) => ({ ...row, contacts: Number(row.contacts), optedOut: Number(row.optedOut) }));
  }
}

function validName(name: string): string {
  const trimmed = (name ?? '').trim();
  if (!trimmed) throw new InvalidInputError('name', 'must not be empty');
  if (trimmed.length > MAX_NAME_LENGTH)
    throw new InvalidInputError('name', `must be at most ${MAX_NAME_LENGTH} characters`);
  return trimmed;
}

export function pgCode(error: unknown): string | undefined {
  return error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
}
