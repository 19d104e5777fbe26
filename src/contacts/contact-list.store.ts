import { Injectable } from '@nestjs/common';
import { postgresErrorCode, uniqueViolation } from '../database/postgres-errors';
import { DomainError } from '../common/errors/domain-error';
import { Database } from '../database/database';
import type { Sql } from '../database/sql';
import type { Contact, ContactList } from './contact.types';

export interface ContactListSummary extends ContactList {
  contacts: number;
  optedOut: number;
}

export interface ContactSearch {
  /** Part of the phone (digits) or of the name, case-insensitive; already trimmed, non-empty. */
  search?: string;
  limit: number;
  offset: number;
}

const LIST_COLUMNS = `id, name, created_at AS "createdAt", updated_at AS "updatedAt"`;
const CONTACT_COLUMNS = `id, list_id AS "listId", phone, name, attributes, opted_out AS "optedOut",
  phone_type AS "phoneType", country, created_at AS "createdAt", updated_at AS "updatedAt"`;
/** ICU case folding: the embedded server's C locale would only fold ASCII, and names are often Cyrillic. */
const NAME_MATCHES = 'name COLLATE "und-x-icu" ILIKE $2';

/** `contact_lists`, their counts (`contact_list_count_deltas`), and the `contacts` rows read through a list (browsing). */
@Injectable()
export class ContactListStore {
  constructor(private readonly database: Database) {}

  /** Fails with `list_name_taken` when a list has the name (case-insensitively). */
  async insert(name: string): Promise<ContactList> {
    const [list] = await uniqueName(
      name,
      this.database.sql<ContactList>(
        `WITH inserted AS (INSERT INTO contact_lists (name) VALUES ($1) RETURNING *) SELECT ${LIST_COLUMNS} FROM inserted`,
        [name],
      ),
    );
    return list;
  }

  async findById(id: string): Promise<ContactList | null> {
    const [list] = await this.database.sql<ContactList>(
      `SELECT ${LIST_COLUMNS} FROM contact_lists WHERE id = $1`,
      [id],
    );
    return list ?? null;
  }

  /** Case-insensitive, as the unique index compares names. */
  async findByName(name: string): Promise<ContactList | null> {
    const [list] = await this.database.sql<ContactList>(
      `SELECT ${LIST_COLUMNS} FROM contact_lists WHERE lower(name) = lower($1)`,
      [name],
    );
    return list ?? null;
  }

  /**
   * Null when the list is absent; fails with `list_name_taken` like insert. Renaming to the same name
   * keeps `updated_at`: nothing changed.
   */
  async rename(id: string, name: string): Promise<ContactList | null> {
    const [list] = await uniqueName(
      name,
      this.database.sql<ContactList>(
        `WITH renamed AS (
           UPDATE contact_lists SET name = $2, updated_at = CASE WHEN name = $2 THEN updated_at ELSE now() END
           WHERE id = $1 RETURNING *
         )
         SELECT ${LIST_COLUMNS} FROM renamed`,
        [id, name],
      ),
    );
    return list ?? null;
  }

  /** Deletes the list with its contacts and import jobs; fails with `list_in_use` while campaigns use it. */
  async delete(id: string): Promise<void> {
    try {
      // The contacts go by cascade (their count triggers skip a list that is gone); its count rows go here.
      await this.database.sql(
        `WITH gone AS (DELETE FROM contact_lists WHERE id = $1 RETURNING id)
         DELETE FROM contact_list_count_deltas WHERE list_id IN (SELECT id FROM gone)`,
        [id],
      );
    } catch (error) {
      if (postgresErrorCode(error) === '23503') {
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

  /**
   * Every list (or the one list `id`) with its contact counts, oldest first. The counts are the sums of
   * the list's rows in `contact_list_count_deltas`, which triggers on `contacts` keep (migration
   * 1764300000001): reading them never scans `contacts`.
   */
  async summaries(id?: string): Promise<ContactListSummary[]> {
    const rows = await this.database.sql<ContactListSummary & { contacts: string; optedOut: string }>(
      `SELECT l.id, l.name, l.created_at AS "createdAt", l.updated_at AS "updatedAt",
              coalesce(c.contacts, 0) AS contacts, coalesce(c.opted_out, 0) AS "optedOut"
       FROM contact_lists l
       LEFT JOIN (
         SELECT list_id, sum(contacts) AS contacts, sum(opted_out) AS opted_out
         FROM contact_list_count_deltas ${id ? 'WHERE list_id = $1' : ''}
         GROUP BY list_id
       ) c ON c.list_id = l.id
       ${id ? 'WHERE l.id = $1' : ''}
       ORDER BY l.created_at, l.name`,
      id ? [id] : [],
    );
    return rows.map((row) => ({ ...row, contacts: Number(row.contacts), optedOut: Number(row.optedOut) }));
  }

  /**
   * Folds each list's count rows into one and drops the rows of lists that are gone; returns how many
   * rows it removed and wrote back. One statement, and rows are only ever deleted and re-added as
   * their sum: two instances compacting at once (or writers adding rows meanwhile) cannot lose or
   * double a count — a row the other compaction deleted first is skipped, and rows committed after
   * the statement began are left for the next round.
   */
  async compactCounts(sql: Sql = this.database.sql): Promise<{ removed: number; written: number }> {
    const [result] = await sql<{ removed: number; written: number }>(
      `WITH gone AS (
         DELETE FROM contact_list_count_deltas d
         WHERE d.list_id IN (SELECT list_id FROM contact_list_count_deltas GROUP BY list_id HAVING count(*) > 1)
            OR NOT EXISTS (SELECT 1 FROM contact_lists l WHERE l.id = d.list_id)
         RETURNING d.list_id, d.contacts, d.opted_out
       ),
       kept AS (
         INSERT INTO contact_list_count_deltas (list_id, contacts, opted_out)
         SELECT g.list_id, sum(g.contacts), sum(g.opted_out) FROM gone g
         WHERE EXISTS (SELECT 1 FROM contact_lists l WHERE l.id = g.list_id)
         GROUP BY g.list_id
         HAVING sum(g.contacts) <> 0 OR sum(g.opted_out) <> 0
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM gone)::int AS removed, (SELECT count(*) FROM kept)::int AS written`,
    );
    return result;
  }

  /** A page of the list's contacts in import order, and how many match in the whole list. */
  async browseContacts(listId: string, query: ContactSearch): Promise<{ items: Contact[]; total: number }> {
    const params: unknown[] = [listId];
    let where = 'list_id = $1';
    if (query.search) {
      const digits = phoneDigitsOf(query.search);
      params.push(`%${escapeLike(query.search)}%`);
      if (digits.length > 0) params.push(`%${digits}%`);
      where += digits.length > 0 ? ` AND (${NAME_MATCHES} OR phone LIKE $3)` : ` AND ${NAME_MATCHES}`;
    }
    const items = await this.database.sql<Contact>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE ${where}
       ORDER BY id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    );
    const [{ total }] = await this.database.sql<{ total: number }>(
      `SELECT count(*)::int AS total FROM contacts WHERE ${where}`,
      params,
    );
    return { items, total };
  }

  /** Adds one contact, opted out when its phone is in the register; `contact_phone_taken` when the list has the phone. */
  async insertContact(
    listId: string,
    contact: Pick<Contact, 'phone' | 'name' | 'attributes' | 'phoneType' | 'country'>,
  ): Promise<Contact> {
    try {
      const [created] = await this.database.sql<Contact>(
        `INSERT INTO contacts (list_id, phone, name, attributes, phone_type, country, opted_out)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, EXISTS (SELECT 1 FROM opt_outs WHERE phone = $2))
         RETURNING ${CONTACT_COLUMNS}`,
        [
          listId,
          contact.phone,
          contact.name,
          JSON.stringify(contact.attributes),
          contact.phoneType,
          contact.country,
        ],
      );
      return created;
    } catch (error) {
      if (!uniqueViolation(error)) throw error;
      throw new DomainError(
        'conflict',
        'contact_phone_taken',
        `The list already has the phone ${contact.phone}`,
        {
          phone: contact.phone,
        },
      );
    }
  }

  /** Changes a contact's name and/or attributes (they replace the old ones); null when absent. */
  async updateContact(
    listId: string,
    id: string,
    changes: Partial<Pick<Contact, 'name' | 'attributes'>>,
  ): Promise<Contact | null> {
    const [updated] = await this.database.sql<Contact>(
      `UPDATE contacts SET
         name = CASE WHEN $3::boolean THEN $4 ELSE name END,
         attributes = COALESCE($5::jsonb, attributes),
         updated_at = now()
       WHERE list_id = $1 AND id = $2 RETURNING ${CONTACT_COLUMNS}`,
      [
        listId,
        id,
        changes.name !== undefined,
        changes.name ?? null,
        changes.attributes === undefined ? null : JSON.stringify(changes.attributes),
      ],
    );
    return updated ?? null;
  }

  async deleteContact(listId: string, id: string): Promise<boolean> {
    const deleted = await this.database.sql(
      `DELETE FROM contacts WHERE list_id = $1 AND id = $2 RETURNING 1`,
      [listId, id],
    );
    return deleted.length > 0;
  }

  /** The list's contact with this phone (its name and attributes fill a template), if any. */
  async contactByPhone(listId: string, phone: string): Promise<ListContact | undefined> {
    const [contact] = await this.database.sql<ListContact>(
      `SELECT name, attributes FROM contacts WHERE list_id = $1 AND phone = $2`,
      [listId, phone],
    );
    return contact;
  }
}

/** The unique index on lower(name) refuses a second list of the same name. */
async function uniqueName<T>(name: string, statement: Promise<T>): Promise<T> {
  try {
    return await statement;
  } catch (error) {
    if (uniqueViolation(error)) {
      throw new DomainError('conflict', 'list_name_taken', `A list named "${name}" already exists`, { name });
    }
    throw error;
  }
}

/**
 * The digits to look for in stored phones (E.164 digits, `79161234567`) however the number was
 * written: `8 916 123-45-67` and `89161234567` use Russia's trunk prefix 8 for +7.
 */
function phoneDigitsOf(search: string): string {
  const digits = search.replace(/\D/g, '');
  return /^8\d{10}$/.test(digits) ? `7${digits.slice(1)}` : digits;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export interface ListContact {
  name: string | null;
  attributes: Record<string, unknown>;
}
