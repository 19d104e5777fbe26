import type { Sql } from '../chat2desk/sql';

/** Recipients are prepared while their run is preparing or running and their campaign may still send. */
const PREPARABLE = `u.state IN ('preparing', 'running') AND c.state IN ('scheduled', 'running')`;

/** A pending recipient whose phone is not in the client cache, held in `resolving` under a lease. */
export interface UnresolvedRecipient {
  id: string;
  campaignId: string;
  phone: string;
}

/** Unknown phones of one (transport, channel) across preparable runs. */
export interface UnresolvedGroup {
  transport: string;
  channelId: number;
  unknownPhones: number;
  /** Earliest occurrence among the runs waiting for these phones. */
  earliestOccurrenceAt: Date;
}

export interface ResolvedClient {
  phone: string;
  clientId: number;
  createdByUs: boolean;
  readyAt: Date;
}

export interface PreparationFailure {
  recipientId: string;
  state: 'failed' | 'skipped';
  reason: string;
  errorClass: string;
}

/** SQL of the preparer: set-based steps over the recipients table and the chat2desk_clients cache. */
export class PreparationQueue {
  constructor(private readonly sql: Sql) {}

  /**
   * pending → ready | waiting_ready for every recipient whose phone the cache knows, in one statement.
   * next_attempt_at = the later of the client's ready_at and what the run set (send window).
   */
  async resolveFromCache(now: Date, limit: number): Promise<number> {
    const rows = await this.sql<{ count: number }>(
      `WITH due AS (
         SELECT r.id, k.client_id, k.ready_at FROM campaign_recipients r
         JOIN campaign_runs u ON u.id = r.run_id
         JOIN campaigns c ON c.id = r.campaign_id
         JOIN chat2desk_clients k ON k.phone = r.phone AND k.transport = c.transport AND k.channel_id = c.channel_id
         WHERE r.state = 'pending' AND ${PREPARABLE}
         LIMIT $2
         FOR UPDATE OF r SKIP LOCKED),
       resolved AS (
         UPDATE campaign_recipients r SET
           chat2desk_client_id = due.client_id,
           state = CASE WHEN due.ready_at <= $1 THEN 'ready' ELSE 'waiting_ready' END,
           next_attempt_at = greatest(coalesce(r.next_attempt_at, $1), due.ready_at),
           updated_at = $1
         FROM due WHERE r.id = due.id
         RETURNING 1)
       SELECT count(*)::int AS count FROM resolved`,
      [now, limit],
    );
    return rows[0]?.count ?? 0;
  }

  /** (transport, channel) groups that still have phones the cache does not know. */
  async unresolvedGroups(): Promise<UnresolvedGroup[]> {
    const rows = await this.sql<{
      transport: string;
      channel_id: string;
      unknown_phones: number;
      earliest: Date;
    }>(
      `SELECT c.transport, c.channel_id::text, count(DISTINCT r.phone)::int AS unknown_phones, min(u.occurrence_at) AS earliest
       FROM campaign_recipients r
       JOIN campaign_runs u ON u.id = r.run_id
       JOIN campaigns c ON c.id = r.campaign_id
       WHERE r.state = 'pending' AND ${PREPARABLE}
         AND NOT EXISTS (SELECT 1 FROM chat2desk_clients k WHERE k.phone = r.phone AND k.transport = c.transport AND k.channel_id = c.channel_id)
       GROUP BY c.transport, c.channel_id`,
    );
    return rows.map((row) => ({
      transport: row.transport,
      channelId: Number(row.channel_id),
      unknownPhones: Number(row.unknown_phones),
      earliestOccurrenceAt: new Date(row.earliest),
    }));
  }

  /** Claims pending recipients of one group whose phone is unknown: `resolving` under a lease. */
  async claimUnresolved(
    group: Pick<UnresolvedGroup, 'transport' | 'channelId'>,
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<UnresolvedRecipient[]> {
    const rows = await this.sql<{ id: string; campaign_id: string; phone: string }>(
      `WITH picked AS (
         SELECT r.id FROM campaign_recipients r
         JOIN campaign_runs u ON u.id = r.run_id
         JOIN campaigns c ON c.id = r.campaign_id
         WHERE r.state = 'pending' AND ${PREPARABLE} AND c.transport = $4 AND c.channel_id = $5
           AND NOT EXISTS (SELECT 1 FROM chat2desk_clients k WHERE k.phone = r.phone AND k.transport = c.transport AND k.channel_id = c.channel_id)
         LIMIT $6
         FOR UPDATE OF r SKIP LOCKED),
       claimed AS (
         UPDATE campaign_recipients r SET state = 'resolving', lease_owner = $2, lease_expires_at = $3, updated_at = $1
         FROM picked WHERE r.id = picked.id
         RETURNING r.id::text, r.campaign_id, r.phone)
       SELECT * FROM claimed`,
      [now, owner, new Date(now.getTime() + leaseMs), group.transport, group.channelId, limit],
    );
    return rows.map((row) => ({ id: row.id, campaignId: row.campaign_id, phone: row.phone }));
  }

  /** Stores resolved clients in the cache; a later ready_at wins (a fresh WhatsApp client must wait). */
  async cacheClients(
    transport: string,
    channelId: number,
    clients: ResolvedClient[],
    now: Date,
  ): Promise<void> {
    if (clients.length === 0) return;
    await this.sql(
      `INSERT INTO chat2desk_clients (phone, transport, channel_id, client_id, created_by_us, ready_at, updated_at)
       SELECT phone, $1, $2, client_id, created_by_us, ready_at, $7
       FROM unnest($3::text[], $4::bigint[], $5::boolean[], $6::timestamptz[]) AS t(phone, client_id, created_by_us, ready_at)
       ON CONFLICT (phone, transport, channel_id) DO UPDATE SET
         client_id = EXCLUDED.client_id,
         created_by_us = chat2desk_clients.created_by_us OR EXCLUDED.created_by_us,
         ready_at = greatest(chat2desk_clients.ready_at, EXCLUDED.ready_at),
         updated_at = EXCLUDED.updated_at`,
      [
        transport,
        channelId,
        clients.map((client) => client.phone),
        clients.map((client) => String(client.clientId)),
        clients.map((client) => client.createdByUs),
        clients.map((client) => client.readyAt),
        now,
      ],
    );
  }

  /** resolving → pending (resolved ones are then picked up from the cache; others are retried later). */
  async releaseResolving(recipientIds: string[], owner: string, now: Date): Promise<void> {
    if (recipientIds.length === 0) return;
    await this.sql(
      `UPDATE campaign_recipients SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = $3
       WHERE id = ANY($1::bigint[]) AND state = 'resolving' AND lease_owner = $2`,
      [recipientIds, owner, now],
    );
  }

  /** Recipients whose client cannot exist (creation off, transport impossible): final, with the reason. */
  async recordFailures(failures: PreparationFailure[], owner: string, now: Date): Promise<void> {
    if (failures.length === 0) return;
    await this.sql(
      `UPDATE campaign_recipients r SET state = t.state, reason = t.reason, last_error_class = t.error_class, last_error_message = t.reason,
         failed_at = CASE WHEN t.state = 'failed' THEN $5 ELSE r.failed_at END,
         lease_owner = NULL, lease_expires_at = NULL, updated_at = $5
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS t(id, state, reason, error_class)
       WHERE r.id = t.id AND r.state = 'resolving' AND r.lease_owner = $6`,
      [
        failures.map((f) => f.recipientId),
        failures.map((f) => f.state),
        failures.map((f) => f.reason),
        failures.map((f) => f.errorClass),
        now,
        owner,
      ],
    );
  }

  async cachedClient(
    phone: string,
    transport: string,
    channelId: number,
  ): Promise<ResolvedClient | undefined> {
    const [row] = await this.sql<{ client_id: string; created_by_us: boolean; ready_at: Date }>(
      `SELECT client_id::text, created_by_us, ready_at FROM chat2desk_clients WHERE phone = $1 AND transport = $2 AND channel_id = $3`,
      [phone, transport, channelId],
    );
    return (
      row && {
        phone,
        clientId: Number(row.client_id),
        createdByUs: row.created_by_us,
        readyAt: new Date(row.ready_at),
      }
    );
  }

  /** Failed and skipped recipients of a campaign by reason: what preparation and dispatch could not do. */
  async problemSummary(campaignId: string): Promise<Array<{ state: string; reason: string; count: number }>> {
    const rows = await this.sql<{ state: string; reason: string | null; count: number }>(
      `SELECT state, reason, count(*)::int AS count FROM campaign_recipients
       WHERE campaign_id = $1 AND state IN ('failed', 'skipped')
       GROUP BY state, reason ORDER BY count(*) DESC`,
      [campaignId],
    );
    return rows.map((row) => ({
      state: row.state,
      reason: row.reason ?? 'unknown',
      count: Number(row.count),
    }));
  }

  /** `resolving` rows of a dead process go back to pending: resolving twice is harmless (lookups, upserts). */
  async releaseExpiredResolving(now: Date): Promise<number> {
    const rows = await this.sql<{ count: number }>(
      `WITH released AS (
         UPDATE campaign_recipients SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = $1
         WHERE state = 'resolving' AND lease_expires_at < $1 RETURNING 1)
       SELECT count(*)::int AS count FROM released`,
      [now],
    );
    return rows[0]?.count ?? 0;
  }
}
