import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database';
import type { Sql } from '../../database/sql';

/** A Chat2Desk quick-reply template, copied locally by TemplatesService.sync(). */
export interface MessageTemplate {
  /** The Chat2Desk template id (bigint, kept as the string pg returns). */
  id: string;
  name: string;
  text: string;
  syncedAt: Date;
}

const TEMPLATE_COLUMNS = `id, name, text, synced_at AS "syncedAt"`;

/** `message_templates`: the local copy of the account's Chat2Desk templates. */
@Injectable()
export class TemplateStore {
  constructor(private readonly database: Database) {}

  /** Inserts or overwrites these templates by id; others are kept (campaigns may still use them). */
  async upsert(templates: readonly MessageTemplate[]): Promise<void> {
    await this.database.sql(
      `INSERT INTO message_templates (id, name, text, synced_at)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[])
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, text = EXCLUDED.text, synced_at = EXCLUDED.synced_at`,
      [
        templates.map((template) => template.id),
        templates.map((template) => template.name),
        templates.map((template) => template.text),
        templates.map((template) => template.syncedAt),
      ],
    );
  }

  /** Every template, by name. */
  all(): Promise<MessageTemplate[]> {
    return this.database.sql<MessageTemplate>(
      `SELECT ${TEMPLATE_COLUMNS} FROM message_templates ORDER BY name ASC, id ASC`,
    );
  }

  async isEmpty(): Promise<boolean> {
    const rows = await this.database.sql(`SELECT 1 FROM message_templates LIMIT 1`);
    return rows.length === 0;
  }

  async find(id: string, sql: Sql = this.database.sql): Promise<MessageTemplate | undefined> {
    const rows = await sql<MessageTemplate>(
      `SELECT ${TEMPLATE_COLUMNS} FROM message_templates WHERE id = $1`,
      [id],
    );
    return rows[0];
  }
}
