import { DataSource } from 'typeorm';
import type { RecipientState, Transport } from '../../src/common/domain';

/** Test data inserted by SQL, so delivery and report tests need nothing from the dispatch pipeline. */
export interface CampaignFixture {
  campaignId: string;
  runId: string;
}

export interface CampaignFixtureOptions {
  name?: string;
  channelId?: number;
  transport?: Transport;
  state?: string;
  forecastTotal?: number;
  startedAt?: Date | null;
  finishedAt?: Date | null;
}

export async function insertCampaign(
  dataSource: DataSource,
  options: CampaignFixtureOptions = {},
): Promise<CampaignFixture> {
  const [campaign] = await dataSource.query(
    `INSERT INTO campaigns (name, list_id, text, transport, channel_id, state, forecast, started_at, finished_at)
     VALUES ($1, gen_random_uuid(), 'Hello {{name}}', $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      options.name ?? 'Test campaign',
      options.transport ?? 'whatsapp',
      options.channelId ?? 1,
      options.state ?? 'running',
      options.forecastTotal === undefined ? null : JSON.stringify({ total: options.forecastTotal }),
      options.startedAt ?? null,
      options.finishedAt ?? null,
    ],
  );
  const [run] = await dataSource.query(
    `INSERT INTO campaign_runs (campaign_id, occurrence_at, state, message_text) VALUES ($1, now(), 'running', 'Hello') RETURNING id`,
    [campaign.id],
  );
  return { campaignId: campaign.id, runId: run.id };
}

export interface RecipientFixture {
  phone: string;
  name?: string | null;
  state?: RecipientState;
  reason?: string | null;
  messageId?: number | null;
  clientId?: number | null;
  rawStatus?: string | null;
  sentAt?: Date | null;
  deliveredAt?: Date | null;
  readAt?: Date | null;
  failedAt?: Date | null;
}

/** Inserts recipients in one statement; returns their ids in order. */
export async function insertRecipients(
  dataSource: DataSource,
  campaign: CampaignFixture,
  rows: RecipientFixture[],
): Promise<string[]> {
  const column = <T>(pick: (row: RecipientFixture) => T) => rows.map(pick);
  const inserted: Array<{ id: string }> = await dataSource.query(
    `INSERT INTO campaign_recipients
       (run_id, campaign_id, phone, name, state, reason, chat2desk_message_id, chat2desk_client_id, raw_status, sent_at, delivered_at, read_at, failed_at, text)
     SELECT $1, $2, * , 'Hello' FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[],
                                   $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[])
     RETURNING id`,
    [
      campaign.runId,
      campaign.campaignId,
      column((row) => row.phone),
      column((row) => row.name ?? null),
      column((row) => row.state ?? 'sent'),
      column((row) => row.reason ?? null),
      column((row) => row.messageId ?? null),
      column((row) => row.clientId ?? null),
      column((row) => row.rawStatus ?? null),
      column((row) => row.sentAt ?? null),
      column((row) => row.deliveredAt ?? null),
      column((row) => row.readAt ?? null),
      column((row) => row.failedAt ?? null),
    ],
  );
  return inserted.map((row) => row.id);
}
