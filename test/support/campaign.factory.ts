import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { CampaignState, RecipientState, Transport } from '../../src/common/domain';
import type { ContactFilter, SendWindow } from '../../src/campaigns/campaign.types';

/**
 * DB-backed test data by plain SQL, for any module's tests: contact lists, contacts, opt-outs,
 * campaigns in any state, and recipient states moved as the dispatcher would move them.
 */

export interface ContactSeed {
  phone: string;
  name?: string | null;
  attributes?: Record<string, string>;
  optedOut?: boolean;
  /** contacts.phone_type: mobile, fixed_line, … (null = unknown). */
  phoneType?: string | null;
  /** ISO 3166 alpha-2. */
  country?: string | null;
}

/** A list with these contacts; returns the list id. */
export async function createContactList(
  dataSource: DataSource,
  contacts: ContactSeed[],
  name = `list ${randomBytes(4).toString('hex')}`,
): Promise<string> {
  const [list]: Array<{ id: string }> = await dataSource.query(
    `INSERT INTO contact_lists (name) VALUES ($1) RETURNING id`,
    [name],
  );
  if (contacts.length > 0) {
    await dataSource.query(
      `INSERT INTO contacts (list_id, phone, name, attributes, opted_out, phone_type, country)
       SELECT $1, c.phone, c.name, coalesce(c.attributes, '{}'::jsonb), coalesce(c.opted_out, false), c.phone_type, c.country
       FROM jsonb_to_recordset($2::jsonb) AS c(phone text, name text, attributes jsonb, opted_out boolean, phone_type text, country text)`,
      [
        list.id,
        JSON.stringify(
          contacts.map((contact) => ({
            phone: contact.phone,
            name: contact.name ?? null,
            attributes: contact.attributes ?? {},
            opted_out: contact.optedOut ?? false,
            phone_type: contact.phoneType === undefined ? 'mobile' : contact.phoneType,
            country: contact.country === undefined ? 'RU' : contact.country,
          })),
        ),
      ],
    );
  }
  return list.id;
}

/**
 * A list of `count` generated mobile contacts (phones 7900000000 + n, name "Client n", attribute
 * order_id = n) built inside Postgres, for volume tests and benchmarks.
 */
export async function createGeneratedContactList(
  dataSource: DataSource,
  count: number,
  country = 'RU',
): Promise<string> {
  const listId = await createContactList(dataSource, []);
  await dataSource.query(
    `INSERT INTO contacts (list_id, phone, name, attributes, phone_type, country)
     SELECT $1, (79000000000 + n)::text, 'Client ' || n, jsonb_build_object('order_id', n::text), 'mobile', $3
     FROM generate_series(1, $2::int) AS n`,
    [listId, count, country],
  );
  return listId;
}

export async function addOptOut(dataSource: DataSource, phone: string): Promise<void> {
  await dataSource.query(
    `INSERT INTO opt_outs (phone, source) VALUES ($1, 'manual') ON CONFLICT DO NOTHING`,
    [phone],
  );
}

export interface CampaignSeed {
  listId: string;
  name?: string;
  state?: CampaignState;
  stateReason?: string | null;
  text?: string | null;
  templateId?: number | null;
  transport?: Transport;
  channelId?: number;
  scheduledAt?: Date | null;
  timezone?: string;
  cron?: string | null;
  sendWindow?: SendWindow | null;
  expiresAfterMinutes?: number | null;
  contactFilter?: ContactFilter;
  allowPartial?: boolean;
}

/** A campaign row as is (no validation, any state); returns its id. Defaults: SMS on channel 1, draft. */
export async function createCampaignRow(dataSource: DataSource, seed: CampaignSeed): Promise<string> {
  const [row]: Array<{ id: string }> = await dataSource.query(
    `INSERT INTO campaigns (name, list_id, text, template_id, transport, channel_id, state, state_reason, scheduled_at, timezone, cron,
                            send_window, expires_after_minutes, contact_filter, allow_partial)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
    [
      seed.name ?? 'Test campaign',
      seed.listId,
      seed.templateId ? null : (seed.text ?? 'Hello, {{name|friend}}!'),
      seed.templateId ?? null,
      seed.transport ?? 'sms',
      seed.channelId ?? 1,
      seed.state ?? 'draft',
      seed.stateReason ?? null,
      seed.scheduledAt ?? null,
      seed.timezone ?? 'UTC',
      seed.cron ?? null,
      seed.sendWindow ? JSON.stringify(seed.sendWindow) : null,
      seed.expiresAfterMinutes ?? null,
      JSON.stringify(seed.contactFilter ?? {}),
      seed.allowPartial ?? false,
    ],
  );
  return row.id;
}

export interface RecipientRow {
  id: string;
  run_id: string;
  phone: string;
  state: RecipientState;
  reason: string | null;
  text: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  last_error_message: string | null;
}

/** The campaign's recipients, by phone. */
export async function recipientsOf(dataSource: DataSource, campaignId: string): Promise<RecipientRow[]> {
  return dataSource.query(
    `SELECT id::text, run_id, phone, state, reason, text, attempts, next_attempt_at, last_error_message FROM campaign_recipients WHERE campaign_id = $1 ORDER BY phone, run_id`,
    [campaignId],
  );
}

/** Moves recipients as the dispatcher would (e.g. every `pending` → `sent`); returns how many moved. */
export async function moveRecipients(
  dataSource: DataSource,
  campaignId: string,
  from: RecipientState,
  to: RecipientState,
  extra: { reason?: string; phones?: string[] } = {},
): Promise<number> {
  const [, count]: [unknown, number] = await dataSource.query(
    `UPDATE campaign_recipients SET state = $3, reason = coalesce($4, reason), last_error_message = coalesce($4, last_error_message)
     WHERE campaign_id = $1 AND state = $2 AND ($5::text[] IS NULL OR phone = ANY($5::text[]))`,
    [campaignId, from, to, extra.reason ?? null, extra.phones ?? null],
  );
  return count;
}

export async function campaignState(
  dataSource: DataSource,
  campaignId: string,
): Promise<{ state: CampaignState; state_reason: string | null; scheduled_at: Date | null }> {
  const [row] = await dataSource.query(
    `SELECT state, state_reason, scheduled_at FROM campaigns WHERE id = $1`,
    [campaignId],
  );
  return row;
}

export async function runsOf(
  dataSource: DataSource,
  campaignId: string,
): Promise<Array<{ id: string; state: string; occurrence_at: Date; message_text: string }>> {
  return dataSource.query(
    `SELECT id, state, occurrence_at, message_text FROM campaign_runs WHERE campaign_id = $1 ORDER BY occurrence_at`,
    [campaignId],
  );
}
