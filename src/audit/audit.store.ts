import { Injectable } from '@nestjs/common';
import type { ActorKind } from '../common/actor';
import { Database } from '../database/database';
import type { Sql } from '../database/sql';

/** One recorded action: who did what to which entity, and when. */
export interface AuditEvent {
  /** bigint comes back from pg as a string; kept as one to stay exact. */
  id: string;
  at: Date;
  /** How the actor authenticated: user, token, api-key, cli, system. */
  actor: ActorKind;
  /** The person (for a user or their token); null for keys, the CLI and the service. */
  actorId: string | null;
  /** As shown in the log: the person, "token «name» (person)", API key, command line, system. */
  actorName: string | null;
  /** `<entity>.<verb>`, e.g. `campaign.started`. */
  action: string;
  entityType: string;
  entityId: string | null;
  details: Record<string, unknown>;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

/** An empty `entityType`, `entityId` or `actorId` means "any". */
export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  limit: number;
  offset: number;
}

const EVENT_COLUMNS = `id, at, actor, actor_id AS "actorId", actor_name AS "actorName", action,
  entity_type AS "entityType", entity_id AS "entityId", details`;

/** The audit log (`audit_events`): append-only. */
@Injectable()
export class AuditStore {
  constructor(private readonly database: Database) {}

  /** Pass the `sql` of a transaction to make the event commit (or roll back) with it. */
  async append(event: NewAuditEvent, sql: Sql = this.database.sql): Promise<AuditEvent> {
    const [saved] = await sql<AuditEvent>(
      `WITH saved AS (
         INSERT INTO audit_events (at, actor, actor_id, actor_name, action, entity_type, entity_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
         RETURNING ${EVENT_COLUMNS}
       )
       SELECT * FROM saved`,
      [
        event.at,
        event.actor,
        event.actorId,
        event.actorName,
        event.action,
        event.entityType,
        event.entityId,
        JSON.stringify(event.details),
      ],
    );
    return saved;
  }

  /** Newest first, optionally for one entity type and id, and how many match. */
  async find(filter: AuditFilter): Promise<{ items: AuditEvent[]; total: number }> {
    const where = `($1::text IS NULL OR entity_type = $1) AND ($2::text IS NULL OR entity_id = $2)
      AND ($3::text IS NULL OR actor_id = $3)`;
    const params = [filter.entityType || null, filter.entityId || null, filter.actorId || null];
    const [items, [{ total }]] = await Promise.all([
      this.database.sql<AuditEvent>(
        `SELECT ${EVENT_COLUMNS} FROM audit_events WHERE ${where} ORDER BY at DESC, id DESC LIMIT $4 OFFSET $5`,
        [...params, filter.limit, filter.offset],
      ),
      this.database.sql<{ total: number }>(
        `SELECT count(*)::int AS total FROM audit_events WHERE ${where}`,
        params,
      ),
    ]);
    return { items, total };
  }
}
