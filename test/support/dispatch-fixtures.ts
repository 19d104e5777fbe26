import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import type { DispatchWorker } from '../../src/dispatch/dispatch-worker';
import type { ClaimedRecipient, RecipientQueue } from '../../src/recipients/recipient-queue';
import { waitFor } from './wait-for';

/**
 * Rows the dispatcher works on, written with SQL so dispatch tests and the benchmark do not depend on
 * the campaign API: one campaign, one run, one recipient per phone (text unique per phone, so the
 * sandbox's duplicate counter sees any second send).
 */
export interface CampaignSeed {
  transport?: string;
  channelId?: number;
  phones: string[];
  campaignState?: string;
  runState?: string;
  /** Default: now. */
  occurrenceAt?: Date;
  text?: (phone: string) => string;
}

export interface SeededCampaign {
  campaignId: string;
  runId: string;
}

export async function seedCampaign(dataSource: DataSource, seed: CampaignSeed): Promise<SeededCampaign> {
  const campaignId = randomUUID();
  const runId = randomUUID();
  const transport = seed.transport ?? 'whatsapp';
  const channelId = seed.channelId ?? 1;
  const textFor = seed.text ?? ((phone: string) => `Hello ${phone}, campaign ${campaignId.slice(0, 8)}`);
  await dataSource.query(
    `INSERT INTO campaigns (id, name, list_id, text, transport, channel_id, state, scheduled_at, started_at)
     VALUES ($1, $2, $3, 'Hello {{name}}', $4, $5, $6, $7, $7)`,
    [
      campaignId,
      `dispatch test ${campaignId.slice(0, 8)}`,
      randomUUID(),
      transport,
      channelId,
      seed.campaignState ?? 'running',
      seed.occurrenceAt ?? new Date(),
    ],
  );
  await dataSource.query(
    `INSERT INTO campaign_runs (id, campaign_id, occurrence_at, state, message_text, started_at) VALUES ($1, $2, $3, $4, 'Hello {{name}}', $3)`,
    [runId, campaignId, seed.occurrenceAt ?? new Date(), seed.runState ?? 'running'],
  );
  const chunk = 20_000;
  for (let start = 0; start < seed.phones.length; start += chunk) {
    const phones = seed.phones.slice(start, start + chunk);
    await dataSource.query(
      `INSERT INTO campaign_recipients (run_id, campaign_id, phone, text)
       SELECT $1, $2, phone, text FROM unnest($3::text[], $4::text[]) AS t(phone, text)`,
      [runId, campaignId, phones, phones.map(textFor)],
    );
  }
  return { campaignId, runId };
}

/** Clients the account already has (sandbox bulk seed, no API requests spent) plus their cache rows. */
export async function seedKnownClients(
  dataSource: DataSource,
  sandbox: Pick<RunningSandbox, 'seedClients'>,
  phones: string[],
  transport = 'whatsapp',
  channelId = 1,
): Promise<void> {
  const clients = sandbox.seedClients({ phones, transport, channelId, readyNow: true });
  await cacheClients(dataSource, clients, transport, channelId);
}

export async function cacheClients(
  dataSource: DataSource,
  clients: Array<{ id: number; phone: string }>,
  transport = 'whatsapp',
  channelId = 1,
): Promise<void> {
  const chunk = 20_000;
  for (let start = 0; start < clients.length; start += chunk) {
    const part = clients.slice(start, start + chunk);
    await dataSource.query(
      `INSERT INTO chat2desk_clients (phone, transport, channel_id, client_id, ready_at)
       SELECT phone, $1, $2, client_id, now() - interval '1 minute' FROM unnest($3::text[], $4::bigint[]) AS t(phone, client_id)
       ON CONFLICT DO NOTHING`,
      [transport, channelId, part.map((client) => client.phone), part.map((client) => String(client.id))],
    );
  }
}

/** `count` distinct 11-digit phones starting with `prefix`. */
export function phoneRange(prefix: string, count: number, from = 1): string[] {
  const width = 11 - prefix.length;
  return Array.from({ length: count }, (_, index) => `${prefix}${String(from + index).padStart(width, '0')}`);
}

export async function recipientCounts(
  dataSource: DataSource,
  campaignId: string,
): Promise<Record<string, number>> {
  const rows: Array<{ state: string; count: number }> = await dataSource.query(
    `SELECT state, count(*)::int AS count FROM campaign_recipients WHERE campaign_id = $1 GROUP BY state`,
    [campaignId],
  );
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
}

export async function campaignState(
  dataSource: DataSource,
  campaignId: string,
): Promise<{ state: string; stateReason: string | null }> {
  const [row]: Array<{ state: string; state_reason: string | null }> = await dataSource.query(
    `SELECT state, state_reason FROM campaigns WHERE id = $1`,
    [campaignId],
  );
  return { state: row.state, stateReason: row.state_reason };
}

/**
 * Exactly-once as the sandbox sees it: every recipient is `sent` with the id of the one and only
 * `to_client` message of its text (unique per campaign and phone) that its client received — other
 * campaigns may write to the same client. Returns the problems found (empty = exactly once).
 */
export async function exactlyOnceProblems(
  dataSource: DataSource,
  sandbox: RunningSandbox,
  campaignId: string,
): Promise<string[]> {
  const recipients: Array<{ phone: string; text: string; state: string; message_id: string | null }> =
    await dataSource.query(
      `SELECT phone, text, state, chat2desk_message_id::text AS message_id FROM campaign_recipients WHERE campaign_id = $1`,
      [campaignId],
    );
  const problems: string[] = [];
  const ledger = sandbox.ledger();
  if (ledger.duplicateSends > 0) problems.push(`sandbox counted ${ledger.duplicateSends} duplicate sends`);
  for (const recipient of recipients) {
    const client = sandbox.state.clientsByPhone.get(recipient.phone);
    const messages = client
      ? (sandbox.state.messagesByClient.get(client.id) ?? []).filter(
          (message) => message.type === 'to_client' && message.text === recipient.text,
        )
      : [];
    if (recipient.state !== 'sent') problems.push(`${recipient.phone}: state ${recipient.state}`);
    if (messages.length !== 1) problems.push(`${recipient.phone}: ${messages.length} messages`);
    else if (recipient.message_id === null) problems.push(`${recipient.phone}: no message id recorded`);
    else if (Number(recipient.message_id) !== messages[0].id) {
      problems.push(
        `${recipient.phone}: recorded message ${recipient.message_id}, sandbox has ${messages[0].id}`,
      );
    }
  }
  return problems;
}

/** Ticks the worker until `total` recipients of the campaign are sent; returns the last counts. */
export function tickUntilSent(
  worker: Pick<DispatchWorker, 'tick'>,
  dataSource: DataSource,
  campaignId: string,
  total: number,
  wait: { timeoutMs: number; intervalMs: number },
): Promise<Record<string, number>> {
  return waitFor(
    async () => {
      await worker.tick();
      return recipientCounts(dataSource, campaignId);
    },
    (counts) => counts.sent === total,
    wait.timeoutMs,
    wait.intervalMs,
  );
}

/**
 * What the dispatcher does before each request, for a whole batch at once: lease due rows, then admit
 * each (→ `sending` with a fresh attempt). A negative `leaseMs` leaves leases already lapsed, as a
 * process that died mid-batch would.
 */
export async function claimSending(
  queue: RecipientQueue,
  owner: string,
  leaseMs: number,
  limit: number,
): Promise<ClaimedRecipient[]> {
  const claimed = await queue.claimReady(owner, new Date(), leaseMs, limit);
  const admitted = await queue.admit(claimed, new Date(), leaseMs);
  return claimed.flatMap((recipient) => {
    const admission = admitted.get(recipient.id);
    return admission ? [{ ...recipient, ...admission }] : [];
  });
}
