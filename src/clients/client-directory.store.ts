import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import type { Sql } from '../database/sql';
import { ClientReadiness } from './client-readiness';
import type { CachedClient, CreationIntent, PhoneKey, ResolvedClient } from './client.types';

/**
 * The directory of Chat2Desk clients by phone: the `chat2desk_clients` cache, the creation intents
 * behind the WhatsApp delay, the per-phone resolution leases (`client_resolutions`) and the
 * account-wide sync jobs. Phones, not recipients, are the unit of work (invariant 8).
 */
@Injectable()
export class ClientDirectoryStore {
  private readonly sql: Sql;

  constructor(
    database: Database,
    private readonly readiness: ClientReadiness,
  ) {
    this.sql = database.sql;
  }

  /** Claims due resolutions of one group under a lease (the database's clock); distinct phones by construction. */
  async claimResolutions(
    group: Pick<PhoneKey, 'transport' | 'channelId'>,
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
   * Records, and commits, the intent to create a client BEFORE `POST /v1/clients` (invariant
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
         SELECT DISTINCT ON (t.phone) t.phone, $1, $2, t.client_id, t.created_by_us, ${this.readiness.readyAtSql('t.phone', '$1::text', '$5')}, now()
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
        this.readiness.waitAfterCreationSeconds('whatsapp'),
        clients.map((client) => client.createdByUs),
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
}
