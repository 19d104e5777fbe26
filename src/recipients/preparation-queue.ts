import type { Sql } from '../database/sql';

/** Recipients are prepared while their run is preparing or running and their campaign may still send. */
const PREPARABLE = `u.state IN ('preparing', 'running') AND c.state IN ('scheduled', 'running')`;

/** Pending recipients of preparable runs, with their campaign (`c`) and run (`u`). */
const PENDING_RECIPIENTS = `campaign_recipients r
  JOIN campaign_runs u ON u.id = r.run_id
  JOIN campaigns c ON c.id = r.campaign_id
  WHERE r.state = 'pending' AND ${PREPARABLE}`;

/**
 * When a client may first be messaged (DESIGN invariant 9), in SQL on the database's clock: WhatsApp
 * waits the new-client delay after the latest creation WE asked for this phone on any channel,
 * whoever's request (or lookup, sync, retry) then found the client; other transports, and clients
 * we never asked to create, are ready now. `$delay` is the delay plus the safety margin, in seconds.
 */
export function clientReadyAtSql(phone: string, transport: string, delay: string): string {
  return `CASE WHEN ${transport} = 'whatsapp'
    THEN greatest(now(), (SELECT i.started_at FROM client_creation_intents i WHERE i.phone = ${phone}) + ${delay} * interval '1 second')
    ELSE now() END`;
}

/** One phone to map to a Chat2Desk client for one (transport, channel). */
export interface PhoneKey {
  phone: string;
  transport: string;
  channelId: number;
}

/** Unknown phones of one (transport, channel) across preparable runs. */
export interface UnresolvedGroup {
  transport: string;
  channelId: number;
  unknownPhones: number;
  /** Earliest occurrence among the runs waiting for these phones. */
  earliestOccurrenceAt: Date;
  /** A campaign waiting for the group: the sync's requests are campaign traffic (no quota reserve). */
  campaignId: string;
}

export interface ResolvedClient {
  phone: string;
  clientId: number;
  createdByUs: boolean;
}

/** A phone that cannot get a client: every recipient waiting for it ends with this reason. */
export interface ResolutionFailure {
  phone: string;
  state: 'failed' | 'skipped';
  reason: string;
  errorClass: string;
}

/** A recorded intent to create a client, and the one it replaced (null = none). */
export interface CreationIntent {
  phone: string;
  /** Exact database timestamps (text keeps the microseconds). */
  startedAt: string;
  previous: string | null;
}

export interface CachedClient {
  clientId: number;
  readyAt: Date;
  /** ready_at has passed on the database's clock. */
  ready: boolean;
}

/**
 * SQL of the preparer. Phones, not recipients, are the unit of work (DESIGN invariant 8): any number
 * of campaigns may want one phone; it is resolved once, under one lease, in `client_resolutions`, and
 * the result lands in the `chat2desk_clients` cache, from which every waiting recipient is moved on.
 */
export class PreparationQueue {
  constructor(
    private readonly sql: Sql,
    /** WHATSAPP_NEW_CLIENT_DELAY_SECONDS + WHATSAPP_SAFETY_MARGIN_SECONDS. */
    private readonly newClientDelaySeconds: number,
  ) {}

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
      transport: string;
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

  /** Claims due resolutions of one group under a lease (the database's clock); distinct phones by construction. */
  async claimResolutions(
    group: Pick<UnresolvedGroup, 'transport' | 'channelId'>,
    owner: string,
    leaseMs: number,
    limit: number,
  ): Promise<PhoneKey[]> {
    const rows = await this.sql<{ phone: string }>(
      `WITH picked AS (
         SELECT phone, transport, channel_id FROM client_resolutions
         WHERE transport = $1 AND channel_id = $2 AND next_attempt_at <= now()
           AND (lease_expires_at IS NULL OR lease_expires_at < now())
         ORDER BY next_attempt_at
         LIMIT $5
         FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE client_resolutions x SET lease_owner = $3, lease_expires_at = now() + $4 * interval '1 millisecond'
         FROM picked WHERE (x.phone, x.transport, x.channel_id) = (picked.phone, picked.transport, picked.channel_id)
         RETURNING x.phone)
       SELECT phone FROM claimed`,
      [group.transport, group.channelId, owner, leaseMs, limit],
    );
    return rows.map((row) => ({ phone: row.phone, transport: group.transport, channelId: group.channelId }));
  }

  /** Extends this process's leases on resolutions it still holds; returns how many it holds. */
  async renewResolutionLeases(keys: PhoneKey[], owner: string, leaseMs: number): Promise<number> {
    if (keys.length === 0) return 0;
    const rows = await this.sql<{ count: number }>(
      `WITH renewed AS (
         UPDATE client_resolutions x SET lease_expires_at = now() + $5 * interval '1 millisecond'
         FROM unnest($1::text[]) AS t(phone)
         WHERE x.phone = t.phone AND x.transport = $2 AND x.channel_id = $3 AND x.lease_owner = $4
         RETURNING 1)
       SELECT count(*)::int AS count FROM renewed`,
      [keys.map((key) => key.phone), keys[0].transport, keys[0].channelId, owner, leaseMs],
    );
    return rows[0]?.count ?? 0;
  }

  /**
   * Records, and commits, the intent to create a client BEFORE `POST /v1/clients` (DESIGN invariant
   * 9): whatever that call's fate, a client found later for this phone waits the delay from here.
   */
  async recordCreationIntent(key: PhoneKey): Promise<CreationIntent> {
    // As text: JavaScript dates drop the microseconds the comparison in withdrawCreationIntent needs.
    const [row] = await this.sql<{ started_at: string; previous: string | null }>(
      `INSERT INTO client_creation_intents (phone, transport, channel_id, started_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (phone) DO UPDATE SET transport = EXCLUDED.transport, channel_id = EXCLUDED.channel_id, started_at = now()
       RETURNING started_at::text, (SELECT i.started_at::text FROM client_creation_intents i WHERE i.phone = $1) AS previous`,
      [key.phone, key.transport, key.channelId],
    );
    return { phone: key.phone, startedAt: row.started_at, previous: row.previous };
  }

  /**
   * The creation answered "client already exist": it created nothing, so only earlier intents can
   * explain the client. Puts the intent back as it was, unless someone recorded a newer one since.
   */
  async withdrawCreationIntent(intent: CreationIntent): Promise<void> {
    await this.sql(
      intent.previous === null
        ? `DELETE FROM client_creation_intents WHERE phone = $1 AND started_at = $2::timestamptz`
        : `UPDATE client_creation_intents SET started_at = $3::timestamptz WHERE phone = $1 AND started_at = $2::timestamptz`,
      [intent.phone, intent.startedAt, ...(intent.previous === null ? [] : [intent.previous])],
    );
  }

  /**
   * Stores resolved clients in the cache, ready_at by the one rule, and closes their resolutions.
   * Phones are distinct per call (the resolutions' key), so the upsert never meets a row twice.
   */
  async cacheClients(transport: string, channelId: number, clients: ResolvedClient[]): Promise<void> {
    if (clients.length === 0) return;
    await this.sql(
      `WITH cached AS (
         INSERT INTO chat2desk_clients (phone, transport, channel_id, client_id, created_by_us, ready_at, updated_at)
         SELECT DISTINCT ON (t.phone) t.phone, $1, $2, t.client_id, t.created_by_us, ${clientReadyAtSql('t.phone', '$1::text', '$5')}, now()
         FROM unnest($3::text[], $4::bigint[], $6::boolean[]) AS t(phone, client_id, created_by_us)
         ON CONFLICT (phone, transport, channel_id) DO UPDATE SET
           client_id = EXCLUDED.client_id,
           created_by_us = chat2desk_clients.created_by_us OR EXCLUDED.created_by_us,
           ready_at = greatest(chat2desk_clients.ready_at, EXCLUDED.ready_at),
           updated_at = EXCLUDED.updated_at
         RETURNING phone)
       DELETE FROM client_resolutions x USING cached
       WHERE x.phone = cached.phone AND x.transport = $1 AND x.channel_id = $2`,
      [
        transport,
        channelId,
        clients.map((client) => client.phone),
        clients.map((client) => String(client.clientId)),
        this.newClientDelaySeconds,
        clients.map((client) => client.createdByUs),
      ],
    );
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

  /**
   * Gives resolutions back. With an error the attempt counts and the phone is retried after a backoff
   * (`retryBaseMs`, doubling per attempt, at most five minutes); without, it goes back at once and
   * uncounted (quota, credentials, a lease too short to start the request).
   */
  async releaseResolutions(
    released: Array<{ key: PhoneKey; error?: string }>,
    owner: string,
    retryBaseMs: number,
  ): Promise<void> {
    if (released.length === 0) return;
    const { transport, channelId } = released[0].key;
    await this.sql(
      `UPDATE client_resolutions x SET lease_owner = NULL, lease_expires_at = NULL,
         attempts = x.attempts + CASE WHEN t.error IS NULL THEN 0 ELSE 1 END,
         last_error = coalesce(t.error, x.last_error),
         next_attempt_at = CASE WHEN t.error IS NULL THEN now()
           ELSE now() + least(300000, $6 * power(2, x.attempts)) * interval '1 millisecond' END
       FROM unnest($1::text[], $2::text[]) AS t(phone, error)
       WHERE x.phone = t.phone AND x.transport = $3 AND x.channel_id = $4 AND x.lease_owner = $5`,
      [
        released.map(({ key }) => key.phone),
        released.map(({ error }) => error ?? null),
        transport,
        channelId,
        owner,
        retryBaseMs,
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

  /**
   * Takes the account-wide client sync of a group (one job in the database: any instance may run it,
   * one at a time) and answers the page offset to continue from; undefined when another instance
   * holds it. A finished sync older than `validMs` starts over.
   */
  async claimSyncJob(
    transport: string,
    channelId: number,
    owner: string,
    leaseMs: number,
    validMs: number,
  ): Promise<number | undefined> {
    await this.sql(
      `INSERT INTO client_sync_jobs (transport, channel_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [transport, channelId],
    );
    const [row] = await this.sql<{ next_offset: number }>(
      `WITH taken AS (
         UPDATE client_sync_jobs SET lease_owner = $3, lease_expires_at = now() + $4 * interval '1 millisecond',
           next_offset = CASE WHEN state = 'done' THEN 0 ELSE next_offset END,
           started_at = CASE WHEN state = 'done' THEN now() ELSE started_at END,
           state = 'running', finished_at = NULL
         WHERE transport = $1 AND channel_id = $2
           AND (lease_expires_at IS NULL OR lease_expires_at < now() OR lease_owner = $3)
           AND (state = 'running' OR finished_at < now() - $5 * interval '1 millisecond')
         RETURNING next_offset)
       SELECT next_offset FROM taken`,
      [transport, channelId, owner, leaseMs, validMs],
    );
    return row?.next_offset;
  }

  /** Records the page reached (a restart resumes there) and renews the lease; false = lease lost. */
  async advanceSyncJob(
    transport: string,
    channelId: number,
    owner: string,
    nextOffset: number,
    total: number,
    leaseMs: number,
  ): Promise<boolean> {
    const rows = await this.sql<{ ok: number }>(
      `WITH advanced AS (
         UPDATE client_sync_jobs SET next_offset = $4, total = $5, lease_expires_at = now() + $6 * interval '1 millisecond'
         WHERE transport = $1 AND channel_id = $2 AND lease_owner = $3 AND state = 'running'
         RETURNING 1)
       SELECT count(*)::int AS ok FROM advanced`,
      [transport, channelId, owner, nextOffset, total, leaseMs],
    );
    return (rows[0]?.ok ?? 0) > 0;
  }

  async finishSyncJob(transport: string, channelId: number, owner: string): Promise<void> {
    await this.sql(
      `UPDATE client_sync_jobs SET state = 'done', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
       WHERE transport = $1 AND channel_id = $2 AND lease_owner = $3`,
      [transport, channelId, owner],
    );
  }

  /** Gives the job back without finishing it (an error): the next taker resumes at the page reached. */
  async releaseSyncJob(transport: string, channelId: number, owner: string): Promise<void> {
    await this.sql(
      `UPDATE client_sync_jobs SET lease_owner = NULL, lease_expires_at = NULL
       WHERE transport = $1 AND channel_id = $2 AND lease_owner = $3`,
      [transport, channelId, owner],
    );
  }

  /** Whether a full sync of the group finished within `validMs`: phones still unknown then have no client. */
  async recentlySynced(transport: string, channelId: number, validMs: number): Promise<boolean> {
    const rows = await this.sql(
      `SELECT 1 FROM client_sync_jobs WHERE transport = $1 AND channel_id = $2 AND state = 'done'
         AND finished_at >= now() - $3 * interval '1 millisecond'`,
      [transport, channelId, validMs],
    );
    return rows.length > 0;
  }

  async cachedClient(phone: string, transport: string, channelId: number): Promise<CachedClient | undefined> {
    const [row] = await this.sql<{ client_id: string; ready_at: Date; ready: boolean }>(
      `SELECT client_id::text, ready_at, ready_at <= now() AS ready FROM chat2desk_clients
       WHERE phone = $1 AND transport = $2 AND channel_id = $3`,
      [phone, transport, channelId],
    );
    return row && { clientId: Number(row.client_id), readyAt: new Date(row.ready_at), ready: row.ready };
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
}
