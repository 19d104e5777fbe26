import type { ResolutionFailure } from '../clients/client.types';
import type { Transport } from '../common/domain';
import type { Sql } from '../database/sql';

/** Recipients are prepared while their run is preparing or running and their campaign may still send. */
const PREPARABLE = `u.state IN ('preparing', 'running') AND c.state IN ('scheduled', 'running')`;

/** Pending recipients of preparable runs, with their campaign (`c`) and run (`u`). */
const PENDING_RECIPIENTS = `campaign_recipients r
  JOIN campaign_runs u ON u.id = r.run_id
  JOIN campaigns c ON c.id = r.campaign_id
  WHERE r.state = 'pending' AND ${PREPARABLE}`;

/** Unknown phones of one (transport, channel) across preparable runs. */
export interface UnresolvedGroup {
  transport: Transport;
  channelId: number;
  unknownPhones: number;
  /** Earliest occurrence among the runs waiting for these phones. */
  earliestOccurrenceAt: Date;
  /** A campaign waiting for the group: the sync's requests are campaign traffic (no quota reserve). */
  campaignId: string;
}

/**
 * SQL of the preparer. Phones, not recipients, are the unit of work (invariant 8): any number
 * of campaigns may want one phone; it is resolved once, under one lease, in `client_resolutions`, and
 * the result lands in the `chat2desk_clients` cache, from which every waiting recipient is moved on.
 */
export class PreparationQueue {
  constructor(private readonly sql: Sql) {}

  /**
   * pending → ready | waiting_ready for every recipient whose phone the cache knows, in one statement.
   * Readiness is the database's clock against the client's ready_at; the claim checks it again.
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
           state = CASE WHEN due.ready_at <= now() THEN 'ready' ELSE 'waiting_ready' END,
           next_attempt_at = coalesce(r.next_attempt_at, $1),
           updated_at = $1
         FROM due WHERE r.id = due.id
         RETURNING 1)
       SELECT count(*)::int AS count FROM resolved`,
      [now, limit],
    );
    return rows[0]?.count ?? 0;
  }

  /** waiting_ready → ready once the client's ready_at has passed on the database's clock. */
  async promoteReadyClients(now: Date): Promise<number> {
    const rows = await this.sql<{ count: number }>(
      `WITH promoted AS (
         UPDATE campaign_recipients r SET state = 'ready', next_attempt_at = coalesce(r.next_attempt_at, $1), updated_at = $1
         FROM campaigns c, chat2desk_clients k
         WHERE r.state = 'waiting_ready' AND c.id = r.campaign_id
           AND k.phone = r.phone AND k.transport = c.transport AND k.channel_id = c.channel_id AND k.ready_at <= now()
         RETURNING 1)
       SELECT count(*)::int AS count FROM promoted`,
      [now],
    );
    return rows[0]?.count ?? 0;
  }

  /**
   * Queues one resolution per distinct unknown (phone, transport, channel) that pending recipients
   * wait for, and drops resolutions nobody waits for any more (a cancelled campaign).
   */
  async enqueueUnknownPhones(): Promise<number> {
    await this.sql(
      `WITH orphaned AS (
         DELETE FROM client_resolutions x
         WHERE (x.lease_expires_at IS NULL OR x.lease_expires_at < now())
           AND NOT EXISTS (SELECT 1 FROM ${PENDING_RECIPIENTS} AND r.phone = x.phone AND c.transport = x.transport AND c.channel_id = x.channel_id)
         RETURNING 1)
       SELECT count(*) FROM orphaned`,
    );
    const rows = await this.sql<{ count: number }>(
      `WITH queued AS (
         INSERT INTO client_resolutions (phone, transport, channel_id)
         SELECT DISTINCT r.phone, c.transport, c.channel_id FROM ${PENDING_RECIPIENTS}
           AND NOT EXISTS (SELECT 1 FROM chat2desk_clients k WHERE k.phone = r.phone AND k.transport = c.transport AND k.channel_id = c.channel_id)
         ON CONFLICT DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS count FROM queued`,
    );
    return rows[0]?.count ?? 0;
  }

  /** (transport, channel) groups whose phones still wait for a resolution. */
  async unresolvedGroups(): Promise<UnresolvedGroup[]> {
    const rows = await this.sql<{
      transport: Transport;
      channel_id: string;
      unknown_phones: number;
      earliest: Date;
      campaign_id: string;
    }>(
      `SELECT x.transport, x.channel_id::text, count(*)::int AS unknown_phones, min(w.occurrence_at) AS earliest, min(w.campaign_id::text) AS campaign_id
       FROM client_resolutions x
       CROSS JOIN LATERAL (
         SELECT u.occurrence_at, c.id AS campaign_id FROM ${PENDING_RECIPIENTS}
           AND r.phone = x.phone AND c.transport = x.transport AND c.channel_id = x.channel_id
         LIMIT 1) w
       GROUP BY x.transport, x.channel_id`,
    );
    return rows.map((row) => ({
      transport: row.transport,
      channelId: Number(row.channel_id),
      unknownPhones: Number(row.unknown_phones),
      earliestOccurrenceAt: new Date(row.earliest),
      campaignId: row.campaign_id,
    }));
  }

  /** Phones that cannot get a client: every recipient waiting for them ends, with the reason. */
  async recordFailures(
    transport: string,
    channelId: number,
    failures: ResolutionFailure[],
    now: Date,
  ): Promise<void> {
    if (failures.length === 0) return;
    await this.sql(
      `WITH ended AS (
         UPDATE campaign_recipients r SET state = t.state, reason = t.reason, last_error_class = t.error_class, last_error_message = t.reason,
           failed_at = CASE WHEN t.state = 'failed' THEN $7 ELSE r.failed_at END, updated_at = $7
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS t(phone, state, reason, error_class), campaigns c
         WHERE r.phone = t.phone AND r.state = 'pending' AND c.id = r.campaign_id AND c.transport = $1 AND c.channel_id = $2
         RETURNING 1)
       DELETE FROM client_resolutions x USING unnest($3::text[]) AS t(phone)
       WHERE x.phone = t.phone AND x.transport = $1 AND x.channel_id = $2`,
      [
        transport,
        channelId,
        failures.map((failure) => failure.phone),
        failures.map((failure) => failure.state),
        failures.map((failure) => failure.reason),
        failures.map((failure) => failure.errorClass),
        now,
      ],
    );
  }

  /** Campaigns whose pending recipients wait for a phone of the group (to pause or fail them). */
  async campaignsWaitingFor(transport: string, channelId: number): Promise<string[]> {
    const rows = await this.sql<{ campaign_id: string }>(
      `SELECT DISTINCT c.id::text AS campaign_id FROM ${PENDING_RECIPIENTS} AND c.transport = $1 AND c.channel_id = $2`,
      [transport, channelId],
    );
    return rows.map((row) => row.campaign_id);
  }
}
