import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { RecipientState } from '../common/domain';

/** Who moved a recipient: the list poll, a Chat2Desk webhook, or the tracking deadline. */
export type StatusSource = 'poll' | 'webhook' | 'deadline';

/** One delivery-status transition of one recipient, kept for the timeline and for audits. */
@Entity('recipient_status_events')
export class RecipientStatusEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id!: string;

  @Column('bigint')
  recipientId!: string;

  @Column('uuid')
  campaignId!: string;

  @Column('timestamptz')
  at!: Date;

  @Column('text')
  fromState!: RecipientState;

  @Column('text')
  toState!: RecipientState;

  @Column('text', { nullable: true })
  rawStatus!: string | null;

  @Column('text')
  source!: StatusSource;
}
