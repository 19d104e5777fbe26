import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DataSource, FindOptionsWhere } from 'typeorm';
import { Actor } from '../common/actor';
import { Clock } from '../common/clock/clock';
import { Page } from '../common/http/pagination.dto';
import { Sql, sqlFrom } from '../database/sql';
import { AuditEvent } from './audit-event.entity';

export interface AuditRecord {
  actor: Actor;
  /** `<entity>.<past-tense verb>`: campaign.created, campaign.started, list.deleted, import.started… */
  action: string;
  entityType: string;
  entityId?: string | number | null;
  details?: Record<string, unknown>;
}

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  limit: number;
  offset: number;
}

@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(AuditService.name);
  }

  /**
   * Appends one event. Pass the `sql` of your transaction (Database.transaction) to make the event
   * commit (or roll back) with the change it describes.
   */
  async record(event: AuditRecord, sql: Sql = sqlFrom(this.dataSource)): Promise<void> {
    const entityId = event.entityId == null ? null : String(event.entityId);
    await sql(
      `INSERT INTO audit_events (at, actor, action, entity_type, entity_id, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
      [
        this.clock.now(),
        event.actor,
        event.action,
        event.entityType,
        entityId,
        JSON.stringify(event.details ?? {}),
      ],
    );
    this.logger.info(
      { audit: { actor: event.actor, action: event.action, entityType: event.entityType, entityId } },
      'audit',
    );
  }

  /** Newest first. */
  async find(filter: AuditFilter): Promise<Page<AuditEvent>> {
    const where: FindOptionsWhere<AuditEvent> = {};
    if (filter.entityType) where.entityType = filter.entityType;
    if (filter.entityId) where.entityId = filter.entityId;
    const [items, total] = await this.dataSource.getRepository(AuditEvent).findAndCount({
      where,
      order: { at: 'DESC', id: 'DESC' },
      take: filter.limit,
      skip: filter.offset,
    });
    return { items, total, limit: filter.limit, offset: filter.offset };
  }
}
