import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { RecipientState } from '../../common/domain';

/** One recipient of one run: the unit of work the dispatcher claims, sends and reconciles. */
@Entity('campaign_recipients')
export class CampaignRecipient {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id!: string;

  @Column('uuid')
  runId!: string;

  @Column('uuid')
  campaignId!: string;

  @Column('bigint', { nullable: true })
  contactId!: string | null;

  @Column('text')
  phone!: string;

  @Column('text', { nullable: true })
  name!: string | null;

  /** ISO country of the phone, for the recipient's send window. */
  @Column('text', { nullable: true })
  country!: string | null;

  /** The rendered message; null for a skipped recipient. */
  @Column('text', { nullable: true })
  text!: string | null;

  @Column('text', { default: 'pending' })
  state!: RecipientState;

  /** Why it was skipped, expired or failed, in words a marketer reads. */
  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('int', { default: 0 })
  attempts!: number;

  /** Identifies the current send attempt; a reconciliation matches messages created after it began. */
  @Column('uuid', { nullable: true })
  attemptId!: string | null;

  @Column('timestamptz', { nullable: true })
  attemptStartedAt!: Date | null;

  @Column('text', { nullable: true })
  leaseOwner!: string | null;

  @Column('timestamptz', { nullable: true })
  leaseExpiresAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  nextAttemptAt!: Date | null;

  @Column('text', { nullable: true })
  lastErrorClass!: string | null;

  @Column('text', { nullable: true })
  lastErrorMessage!: string | null;

  @Column('bigint', { nullable: true })
  chat2deskClientId!: string | null;

  @Column('bigint', { nullable: true })
  chat2deskMessageId!: string | null;

  /** recipient_status exactly as Chat2Desk reported it. */
  @Column('text', { nullable: true })
  rawStatus!: string | null;

  @Column('timestamptz', { nullable: true })
  sentAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  deliveredAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  readAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  failedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  statusCheckedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
