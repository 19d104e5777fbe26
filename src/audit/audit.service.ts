import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { Actor } from '../common/actor';
import { Clock } from '../common/clock/clock';
import { Page } from '../common/http/pagination.dto';
import type { Sql } from '../database/sql';
import { AuditEvent, AuditFilter, AuditStore } from './audit.store';

export interface AuditRecord {
  actor: Actor;
  /** `<entity>.<past-tense verb>`: campaign.created, campaign.started, list.deleted, import.started… */
  action: string;
  entityType: string;
  entityId?: string | number | null;
  details?: Record<string, unknown>;
}

@Injectable()
export class AuditService {
  constructor(
    private readonly store: AuditStore,
    private readonly clock: Clock,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(AuditService.name);
  }

  /**
   * Appends one event. Pass the `sql` of your transaction (Database.transaction) to make the event
   * commit (or roll back) with the change it describes.
   */
  async record(event: AuditRecord, sql?: Sql): Promise<AuditEvent> {
    const saved = await this.store.append(
      {
        at: this.clock.now(),
        actor: event.actor.kind,
        actorId: event.actor.userId ?? null,
        actorName: event.actor.name ?? null,
        action: event.action,
        entityType: event.entityType,
        entityId: event.entityId == null ? null : String(event.entityId),
        details: event.details ?? {},
      },
      sql,
    );
    this.logger.info(
      {
        audit: {
          actor: event.actor.kind,
          actorName: event.actor.name,
          action: event.action,
          entityType: event.entityType,
          entityId: saved.entityId,
        },
      },
      'audit',
    );
    return saved;
  }

  /** Newest first. */
  async find(filter: AuditFilter): Promise<Page<AuditEvent>> {
    const { items, total } = await this.store.find(filter);
    return { items, total, limit: filter.limit, offset: filter.offset };
  }
}
