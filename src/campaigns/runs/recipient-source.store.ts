import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database';
import { Sql, SqlParams } from '../../database/sql';
import type { Campaign } from '../campaign.types';
import { MISSING_VARIABLE_LIKE } from '../templates/template-renderer';
import { recipientSourceSql, RecipientSourceSpec } from './recipient-source';

/** One contact as a run would get it now. */
export interface SourceRecipient {
  phone: string;
  name: string | null;
  /** The rendered message; null when skipped. */
  text: string | null;
  skipReason: string | null;
}

/** What the forecast needs to know about a campaign's recipients. */
export interface SourceCounts {
  /** Contacts that would be sent to (not skipped). */
  recipients: number;
  /** Of those, phones with a cached Chat2Desk client on the campaign's transport and channel. */
  knownClients: number;
  /** Contacts that would be skipped for a missing variable. */
  missingVariables: number;
}

const SOURCE_RECIPIENT_COLUMNS = `src.phone, src.name, src.text, src.skip_reason AS "skipReason"`;

/**
 * Reads of a campaign's recipient source (recipient-source.ts: its contact list, filter and
 * template as SQL) before any run exists: the preview, the missing-variables check, the forecast.
 */
@Injectable()
export class RecipientSourceStore {
  constructor(private readonly database: Database) {}

  /** The source of a campaign with this message text; reads the list's attribute names (a handful: CSV headers). */
  async specOf(
    campaign: Pick<Campaign, 'listId' | 'contactFilter' | 'transport'>,
    messageText: string,
    sql: Sql = this.database.sql,
  ): Promise<RecipientSourceSpec> {
    const keys = await sql<{ key: string }>(
      `SELECT DISTINCT key FROM contacts c CROSS JOIN LATERAL jsonb_object_keys(c.attributes) AS key WHERE c.list_id = $1 ORDER BY key`,
      [campaign.listId],
    );
    return {
      listId: campaign.listId,
      contactFilter: campaign.contactFilter,
      transport: campaign.transport,
      messageText,
      attributeKeys: keys.map((row) => row.key),
    };
  }

  /** The first `limit` contacts of the list (by contact id). */
  first(spec: RecipientSourceSpec, limit: number): Promise<SourceRecipient[]> {
    const params = new SqlParams();
    return this.database.sql<SourceRecipient>(
      `SELECT ${SOURCE_RECIPIENT_COLUMNS} FROM (${recipientSourceSql(spec, params)}) src ORDER BY src.contact_id LIMIT ${params.add(limit)}`,
      params.values,
    );
  }

  /** How many contacts would be skipped for a missing variable, and the first `limit` of them. */
  async missingVariables(
    spec: RecipientSourceSpec,
    limit: number,
  ): Promise<{ count: number; examples: SourceRecipient[] }> {
    const params = new SqlParams();
    const missing = `SELECT * FROM (${recipientSourceSql(spec, params)}) src WHERE src.skip_reason LIKE ${params.add(MISSING_VARIABLE_LIKE)}`;
    const [{ count }] = await this.database.sql<{ count: string }>(
      `SELECT count(*)::text AS count FROM (${missing}) m`,
      params.values,
    );
    const examples = await this.database.sql<SourceRecipient>(
      `SELECT ${SOURCE_RECIPIENT_COLUMNS} FROM (${missing}) src ORDER BY src.contact_id LIMIT ${Number(limit)}`,
      params.values,
    );
    return { count: Number(count), examples };
  }

  /** Recipients that would be sent to now, how many of their phones have a Chat2Desk client already, and how many lack a variable. */
  async counts(spec: RecipientSourceSpec, channelId: string): Promise<SourceCounts> {
    const params = new SqlParams();
    const source = recipientSourceSql(spec, params);
    const [row] = await this.database.sql<{ recipients: string; known: string; missing: string }>(
      `SELECT count(*) FILTER (WHERE src.skip_reason IS NULL)::text AS recipients,
              count(*) FILTER (WHERE src.skip_reason IS NULL AND EXISTS (
                SELECT 1 FROM chat2desk_clients k
                WHERE k.phone = src.phone AND k.transport = ${params.add(spec.transport)}::text AND k.channel_id = ${params.add(channelId)}::bigint
              ))::text AS known,
              count(*) FILTER (WHERE src.skip_reason LIKE ${params.add(MISSING_VARIABLE_LIKE)})::text AS missing
       FROM (${source}) src`,
      params.values,
    );
    return {
      recipients: Number(row.recipients),
      knownClients: Number(row.known),
      missingVariables: Number(row.missing),
    };
  }
}
