import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Actor } from '../common/actor';

@Entity('audit_events')
export class AuditEvent {
  /** bigint comes back from pg as a string; kept as one to stay exact. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'text' })
  actor!: Actor;

  /** `<entity>.<verb>`, e.g. `campaign.started`. */
  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  entityType!: string;

  @Column({ type: 'text', nullable: true })
  entityId!: string | null;

  @Column({ type: 'jsonb', default: {} })
  details!: Record<string, unknown>;
}
