import type { Sql } from '../database/sql';
import { uniqueViolation } from '../database/postgres-errors';
import { CANCELLED_REASON, FREQUENCY_CAP_REASON, OPTED_OUT_REASON, type Transport } from '../common/domain';

/** A recipient this process holds in `sending` under its lease: everything one send needs. */
export interface ClaimedRecipient {
  id: string;
  campaignId: string;
  phone: string;
  /** The campaign's frequency cap (hours), null = none. */
  frequencyCapHours: number | null;
  attemptId: string;
  attemptStartedAt: Date;
  attempts: number;
  /** The process holding the lease; results are recorded only while it still does. */
  leaseOwner: string;
  clientId: number;
  text: string;
  transport: Transport;
  channelId: number;
}

/**
 * What became of one claimed recipient. `sent` and `failed` are final; `retry` counts the attempt
 * and comes back after `nextAttemptAt` (or fails once attempts are used up); `release` gives the row
 * back without counting an attempt because no request reached Chat2Desk (rate limit, quota, shutdown).
 * `reconcile_later` keeps the row `sending` with its lease ending at `reconcileAt`, when the sweeper
 * looks for the message. A row that is not sent while its campaign was cancelled becomes `skipped`,
 * as cancel did to the rest.
 */
export type AttemptResult =
  | { kind: 'sent'; recipient: ClaimedRecipient; messageId: number | null }
  | {
      kind: 'retry';
      recipient: ClaimedRecipient;
      nextAttemptAt: Date;
      errorClass: string;
      errorMessage: string;
    }
  | {
      kind: 'release';
      recipient: ClaimedRecipient;
      nextAttemptAt: Date;
      errorClass?: string;
      errorMessage?: string;
    }
  | { kind: 'failed'; recipient: ClaimedRecipient; errorClass: string; errorMessage: string }
  | {
      kind: 'reconcile_later';
      recipient: ClaimedRecipient;
      reconcileAt: Date;
      errorClass: string;
      errorMessage: string;
    };

interface ClaimedRow {
  id: string;
  campaign_id: string;
  phone: string;
  frequency_cap_hours: number | null;
  attempt_id: string;
  attempt_started_at: Date;
  attempts: number;
  lease_owner: string;
  chat2desk_client_id: string;
  text: string;
  transport: Transport;
  channel_id: string;
}

const CLAIMED_COLUMNS = `claimed.id::text, claimed.campaign_id, claimed.phone, claimed.attempt_id, claimed.attempt_started_at, claimed.attempts, claimed.lease_owner,
  claimed.chat2desk_client_id::text, claimed.text, c.transport, c.channel_id::text, c.frequency_cap_hours`;

/**
 * Another campaign message to this phone within the campaign's (`c`) frequency cap: sent, or — when
 * admitting, with `inFlight` — being sent right now (a refused row is skipped only for a real send).
 */
const CAPPED = (
  recipient: string,
  now: string,
  inFlight: boolean,
) => `c.frequency_cap_hours IS NOT NULL AND EXISTS (
  SELECT 1 FROM campaign_recipients p WHERE p.phone = ${recipient}.phone AND p.id <> ${recipient}.id
    AND (${inFlight ? "p.state = 'sending' OR " : ''}p.sent_at > ${now}::timestamptz - c.frequency_cap_hours * interval '1 hour'))`;

/**
 * Due `ready` rows of running runs ($1 = now, $4 = limit): the runs first (few), then per run its own
 * rows through the claimable index, so rows of paused runs are never read. Whether the client is
 * ready is the admission's check (a row gets `ready` only once its client is).
 */
const CLAIMABLE_ROWS = `WITH runs AS (
    SELECT u.id FROM campaign_runs u JOIN campaigns c ON c.id = u.campaign_id
    WHERE u.state = 'running' AND c.state = 'running')
  SELECT due.id FROM runs CROSS JOIN LATERAL (
    SELECT r.id FROM campaign_recipients r
    WHERE r.run_id = runs.id AND r.state = 'ready' AND r.next_attempt_at <= $1
      AND (r.lease_expires_at IS NULL OR r.lease_expires_at < now())
    ORDER BY r.next_attempt_at
    LIMIT $4
    FOR UPDATE OF r SKIP LOCKED) due
  LIMIT $4`;

/** Runs in one transaction (advisory locks, check-then-write). */
export type InTransaction = <T>(work: (sql: Sql) => Promise<T>) => Promise<T>;

/** What an admitted send carries: its fresh attempt, committed as `sending` before the request. */
export interface Admission {
  attemptId: string;
  attemptStartedAt: Date;
  attempts: number;
}

/**
 * The recipients table as a work queue. Every statement is one round trip for a whole batch; every
 * write is conditional on the attempt it belongs to, so a process whose lease was taken over can
 * never overwrite the newer truth. Leases and client readiness are compared on the database's clock.
 */
export class RecipientQueue {
  constructor(
    private readonly sql: Sql,
    private readonly inTransaction: InTransaction = (work) => work(sql),
  ) {}

  /**
   * Leases due `ready` recipients of running runs of running campaigns whose Chat2Desk client is
   * ready. Only rows of running runs are read (per run, through the claimable index), so a million
   * paused rows cost nothing. The rows stay `ready`: each send is admitted on its own, at the last
   * moment (`admit`).
   */
  async claimReady(owner: string, now: Date, leaseMs: number, limit: number): Promise<ClaimedRecipient[]> {
    const rows = await this.sql<ClaimedRow>(
      `WITH picked AS (${CLAIMABLE_ROWS}),
       claimed AS (
         UPDATE campaign_recipients r SET lease_owner = $2, lease_expires_at = now() + $3 * interval '1 millisecond'
         FROM picked WHERE r.id = picked.id
         RETURNING r.*)
       SELECT ${CLAIMED_COLUMNS} FROM claimed JOIN campaigns c ON c.id = claimed.campaign_id`,
      [now, owner, leaseMs, limit],
    );
    return rows.map(toClaimed);
  }

  /** The claim's plan, executed (EXPLAIN ANALYZE): for the benchmark and the test that claims stay cheap. */
  async claimPlan(now: Date, limit: number): Promise<unknown> {
    const [row] = await this.sql<{ 'QUERY PLAN': unknown }>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${CLAIMABLE_ROWS.replace(/\$4/g, '$2')}`,
      [now, limit],
    );
    return row['QUERY PLAN'];
  }

  /**
   * The last check before the request (invariant 10), in the statement that moves the rows to
   * `sending` with a fresh attempt each: campaign and run still running, not expired, inside the send
   * window, client ready, phone not opted out, frequency cap not hit. Rows of one owner, admitted
   * together in one statement (one commit for a group of sends). With a cap, an advisory lock on the
   * phone serialises the admissions of campaigns that share it, so such a row is admitted alone.
   * Answers the admitted rows by id; the others were refused (see `settleRefused`).
   */
  async admit(recipients: ClaimedRecipient[], now: Date, leaseMs: number): Promise<Map<string, Admission>> {
    const capped = recipients.filter((recipient) => recipient.frequencyCapHours !== null);
    const rows = await this.admitRows(
      this.sql,
      recipients.filter((recipient) => !capped.includes(recipient)),
      now,
      leaseMs,
    );
    for (const recipient of capped) {
      rows.push(
        ...(await this.inTransaction(async (sql) => {
          await sql(`SELECT pg_advisory_xact_lock(hashtext($1)) AS locked`, [recipient.phone]);
          return this.admitRows(sql, [recipient], now, leaseMs);
        })),
      );
    }
    return new Map(
      rows.map((row) => [
        row.id,
        {
          attemptId: row.attempt_id,
          attemptStartedAt: new Date(row.attempt_started_at),
          attempts: Number(row.attempts),
        },
      ]),
    );
  }

  private async admitRows(
    sql: Sql,
    recipients: ClaimedRecipient[],
    now: Date,
    leaseMs: number,
  ): Promise<Array<{ id: string; attempt_id: string; attempt_started_at: Date; attempts: number }>> {
    if (recipients.length === 0) return [];
    return sql(
      `WITH admitted AS (
         UPDATE campaign_recipients r SET state = 'sending', attempt_id = gen_random_uuid(), attempt_started_at = $3,
           attempts = r.attempts + 1, lease_expires_at = now() + $4 * interval '1 millisecond', updated_at = $3
         FROM campaign_runs u, campaigns c, chat2desk_clients k
         WHERE r.id = ANY($1::bigint[]) AND r.state = 'ready' AND r.lease_owner = $2
           AND u.id = r.run_id AND u.state = 'running' AND c.id = r.campaign_id AND c.state = 'running'
           AND (c.expires_after_minutes IS NULL OR u.occurrence_at + c.expires_after_minutes * interval '1 minute' > $3)
           AND r.next_attempt_at <= $3
           AND k.phone = r.phone AND k.transport = c.transport AND k.channel_id = c.channel_id AND k.ready_at <= now()
           AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = r.phone)
           AND NOT (${CAPPED('r', '$3', true)})
         RETURNING r.id::text, r.attempt_id, r.attempt_started_at, r.attempts)
       SELECT * FROM admitted`,
      [recipients.map((recipient) => recipient.id), recipients[0].leaseOwner, now, leaseMs],
    );
  }

  /**
   * A refused admission: an opted-out phone or a hit frequency cap ends the recipient `skipped` with
   * the reason; a client not ready yet (a newer creation intent) puts it back to `waiting_ready`;
   * anything else (paused, cancelled, expired — their own paths decide) gives the row back untouched,
   * its attempt not counted.
   */
  async settleRefused(recipients: ClaimedRecipient[], now: Date): Promise<void> {
    if (recipients.length === 0) return;
    await this.sql(
      `WITH why AS (
         SELECT r.id,
           EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = r.phone) AS opted_out,
           NOT EXISTS (SELECT 1 FROM chat2desk_clients k WHERE k.phone = r.phone AND k.transport = c.transport
                         AND k.channel_id = c.channel_id AND k.ready_at <= now()) AS client_not_ready,
           ${CAPPED('r', '$3', false)} AS capped
         FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id
         WHERE r.id = ANY($1::bigint[]) AND r.state = 'ready' AND r.lease_owner = $2),
       settled AS (
         UPDATE campaign_recipients r SET
           state = CASE WHEN why.opted_out OR why.capped THEN 'skipped' WHEN why.client_not_ready THEN 'waiting_ready' ELSE r.state END,
           reason = CASE WHEN why.opted_out THEN $4 WHEN why.capped THEN $5 ELSE r.reason END,
           next_attempt_at = CASE WHEN why.opted_out OR why.capped THEN NULL ELSE r.next_attempt_at END,
           lease_owner = NULL, lease_expires_at = NULL, updated_at = $3
         FROM why WHERE r.id = why.id
         RETURNING 1)
       SELECT count(*)::int AS count FROM settled`,
      [
        recipients.map((recipient) => recipient.id),
        recipients[0].leaseOwner,
        now,
        OPTED_OUT_REASON,
        FREQUENCY_CAP_REASON,
      ],
    );
  }

  /** Leased rows never admitted (shutdown, a lease too short to start a request) go back untouched. */
  async releaseClaims(recipients: ClaimedRecipient[]): Promise<void> {
    if (recipients.length === 0) return;
    await this.sql(
      `UPDATE campaign_recipients SET lease_owner = NULL, lease_expires_at = NULL
       WHERE id = ANY($1::bigint[]) AND state = 'ready' AND lease_owner = $2`,
      [recipients.map((recipient) => recipient.id), recipients[0].leaseOwner],
    );
  }

  /**
   * Takes over `sending` rows whose lease expired (their process died or lost its answer): they must
   * be reconciled, never resent blind (invariant 2). The attempt id stays: it is the attempt
   * being reconciled.
   */
  async claimExpiredSending(
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<ClaimedRecipient[]> {
    const rows = await this.sql<ClaimedRow>(
      `WITH picked AS (
         SELECT r.id FROM campaign_recipients r
         WHERE r.state = 'sending' AND r.lease_expires_at < now()
         LIMIT $4
         FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE campaign_recipients r SET lease_owner = $2, lease_expires_at = now() + $3 * interval '1 millisecond', updated_at = $1
         FROM picked WHERE r.id = picked.id
         RETURNING r.*)
       SELECT ${CLAIMED_COLUMNS} FROM claimed JOIN campaigns c ON c.id = claimed.campaign_id`,
      [now, owner, leaseMs, limit],
    );
    return rows.map(toClaimed);
  }

  /**
   * Extends this process's leases on rows it still holds (leased `ready` rows and admitted `sending`
   * ones): a batch that takes longer than a lease must not be taken over while it works.
   */
  async extendLeases(recipientIds: string[], owner: string, leaseMs: number): Promise<number> {
    const rows = await this.sql<{ count: number }>(
      `WITH extended AS (
         UPDATE campaign_recipients SET lease_expires_at = now() + $3 * interval '1 millisecond'
         WHERE id = ANY($1::bigint[]) AND state IN ('ready', 'sending') AND lease_owner = $2
         RETURNING 1)
       SELECT count(*)::int AS count FROM extended`,
      [recipientIds, owner, leaseMs],
    );
    return rows[0]?.count ?? 0;
  }

  /**
   * `ready` rows without next_attempt_at (retry-failed resets it) get "now", so the claim can use the
   * claimable index with a plain range.
   */
  async promoteDue(now: Date): Promise<number> {
    const rows = await this.sql<{ count: number }>(
      `WITH promoted AS (
         UPDATE campaign_recipients SET next_attempt_at = $1, updated_at = $1
         WHERE state = 'ready' AND next_attempt_at IS NULL
         RETURNING 1)
       SELECT count(*)::int AS count FROM promoted`,
      [now],
    );
    return rows[0]?.count ?? 0;
  }

  /**
   * Records a batch of results in ONE statement (unnest arrays), each guarded by its attempt id and
   * lease owner: once the sweeper took a row over, only the sweeper's reconciliation decides it.
   */
  async record(results: AttemptResult[], now: Date, maxAttempts: number): Promise<void> {
    if (results.length === 0) return;
    const owned = oneRecipientPerMessage(results, now);
    try {
      await this.write(owned, now, maxAttempts);
    } catch (error) {
      if (!uniqueViolation(error)) throw error;
      // Another process recorded one of these message ids meanwhile: the rest still count.
      for (const result of owned) await this.writeUnlessTaken(result, now, maxAttempts);
    }
  }

  /** A message id another recipient holds is not this one's: look again later (invariant 2). */
  private async writeUnlessTaken(result: AttemptResult, now: Date, maxAttempts: number): Promise<void> {
    try {
      await this.write([result], now, maxAttempts);
    } catch (error) {
      if (!uniqueViolation(error)) throw error;
      await this.write([lookAgain(result, now)], now, maxAttempts);
    }
  }

  private async write(results: AttemptResult[], now: Date, maxAttempts: number): Promise<void> {
    const columns = {
      id: [] as string[],
      attemptId: [] as string[],
      leaseOwner: [] as string[],
      kind: [] as string[],
      messageId: [] as Array<string | null>,
      nextAttemptAt: [] as Array<Date | null>,
      leaseExpiresAt: [] as Array<Date | null>,
      errorClass: [] as Array<string | null>,
      errorMessage: [] as Array<string | null>,
    };
    for (const result of results) {
      columns.id.push(result.recipient.id);
      columns.attemptId.push(result.recipient.attemptId);
      columns.leaseOwner.push(result.recipient.leaseOwner);
      columns.kind.push(result.kind);
      columns.messageId.push(
        result.kind === 'sent' && result.messageId !== null ? String(result.messageId) : null,
      );
      columns.nextAttemptAt.push(
        result.kind === 'retry' || result.kind === 'release' ? result.nextAttemptAt : null,
      );
      columns.leaseExpiresAt.push(result.kind === 'reconcile_later' ? result.reconcileAt : null);
      columns.errorClass.push(result.kind === 'sent' ? null : (result.errorClass ?? null));
      columns.errorMessage.push(result.kind === 'sent' ? null : (result.errorMessage ?? null));
    }
    await this.sql(
      `WITH results AS (
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::timestamptz[], $6::text[], $7::text[], $11::timestamptz[], $12::text[])
           AS t(id, attempt_id, kind, message_id, next_attempt_at, error_class, error_message, lease_expires_at, lease_owner)),
       decided AS (
         SELECT t.*, CASE
             WHEN t.kind = 'sent' THEN 'sent'
             WHEN t.kind = 'reconcile_later' THEN 'sending'
             WHEN t.kind = 'failed' OR (t.kind = 'retry' AND r.attempts >= $9) THEN 'failed'
             WHEN c.state = 'cancelled' THEN 'skipped'
             ELSE 'ready' END AS next_state
         FROM results t JOIN campaign_recipients r ON r.id = t.id JOIN campaigns c ON c.id = r.campaign_id),
       written AS (
         UPDATE campaign_recipients r SET
           state = d.next_state,
           chat2desk_message_id = CASE WHEN d.next_state = 'sent' THEN d.message_id ELSE r.chat2desk_message_id END,
           sent_at = CASE WHEN d.next_state = 'sent' THEN $8 ELSE r.sent_at END,
           failed_at = CASE WHEN d.next_state = 'failed' THEN $8 ELSE r.failed_at END,
           reason = CASE
             WHEN d.next_state = 'skipped' THEN $10
             WHEN d.next_state <> 'failed' THEN r.reason
             WHEN d.kind = 'retry' THEN 'gave up after ' || r.attempts || ' attempts: ' || d.error_message
             ELSE d.error_message END,
           attempts = CASE WHEN d.kind = 'release' THEN greatest(r.attempts - 1, 0) ELSE r.attempts END,
           next_attempt_at = coalesce(d.next_attempt_at, r.next_attempt_at),
           last_error_class = CASE WHEN d.kind = 'sent' THEN r.last_error_class ELSE coalesce(d.error_class, r.last_error_class) END,
           last_error_message = CASE WHEN d.kind = 'sent' THEN r.last_error_message ELSE coalesce(d.error_message, r.last_error_message) END,
           lease_owner = CASE WHEN d.next_state = 'sending' THEN r.lease_owner END,
           lease_expires_at = CASE WHEN d.next_state = 'sending' THEN d.lease_expires_at END,
           updated_at = $8
         FROM decided d
         WHERE r.id = d.id AND r.attempt_id = d.attempt_id AND r.lease_owner = d.lease_owner AND r.state = 'sending'
         RETURNING 1)
       SELECT count(*)::int AS count FROM written`,
      [
        columns.id,
        columns.attemptId,
        columns.kind,
        columns.messageId,
        columns.nextAttemptAt,
        columns.errorClass,
        columns.errorMessage,
        now,
        maxAttempts,
        CANCELLED_REASON,
        columns.leaseExpiresAt,
        columns.leaseOwner,
      ],
    );
  }

  /** Message ids among `messageIds` already recorded on some recipient (a reconciliation must not reuse them). */
  async recordedMessageIds(messageIds: number[]): Promise<Set<number>> {
    if (messageIds.length === 0) return new Set();
    const rows = await this.sql<{ id: string }>(
      `SELECT chat2desk_message_id::text AS id FROM campaign_recipients WHERE chat2desk_message_id = ANY($1::bigint[])`,
      [messageIds],
    );
    return new Set(rows.map((row) => Number(row.id)));
  }
}

/**
 * A Chat2Desk message belongs to at most one recipient (unique in the database): when two results of
 * one batch name the same id (two campaigns, one client, the same text), the first keeps it and the
 * others are looked up again, now seeing the id taken.
 */
function oneRecipientPerMessage(results: AttemptResult[], now: Date): AttemptResult[] {
  const owners = new Set<number>();
  return results.map((result) => {
    if (result.kind !== 'sent' || result.messageId === null) return result;
    if (!owners.has(result.messageId)) {
      owners.add(result.messageId);
      return result;
    }
    return lookAgain(result, now);
  });
}

function lookAgain(result: AttemptResult, now: Date): AttemptResult {
  return {
    kind: 'reconcile_later',
    recipient: result.recipient,
    reconcileAt: now,
    errorClass: 'MessageIdTaken',
    errorMessage: 'the message found belongs to another recipient; looked up again',
  };
}

function toClaimed(row: ClaimedRow): ClaimedRecipient {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    phone: row.phone,
    frequencyCapHours: row.frequency_cap_hours === null ? null : Number(row.frequency_cap_hours),
    attemptId: row.attempt_id,
    attemptStartedAt: new Date(row.attempt_started_at),
    attempts: Number(row.attempts),
    leaseOwner: row.lease_owner,
    clientId: Number(row.chat2desk_client_id),
    text: row.text,
    transport: row.transport,
    channelId: Number(row.channel_id),
  };
}
