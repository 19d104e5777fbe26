import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { CampaignState, Transport } from '../../common/domain';
import type { CampaignForecast } from '../forecast/campaign-forecast';

/** Send window in local time, e.g. 10:00–20:00, in the recipient's or the campaign's timezone. */
export interface SendWindow {
  start: string;
  end: string;
  timezone: 'recipient' | 'campaign';
}

/** Equality filter on contact attributes, e.g. {"city": "Moscow"}. */
export type ContactFilter = Record<string, string>;

@Entity('campaigns')
export class Campaign {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('uuid')
  listId!: string;

  @Column('jsonb', { default: {} })
  contactFilter!: ContactFilter;

  /** Local message text with {{variables}}; null when a Chat2Desk template is used. */
  @Column('text', { nullable: true })
  text!: string | null;

  @Column('bigint', { nullable: true })
  templateId!: string | null;

  @Column('text')
  transport!: Transport;

  @Column('bigint')
  channelId!: string;

  @Column('text', { default: 'draft' })
  state!: CampaignState;

  @Column('text', { nullable: true })
  stateReason!: string | null;

  @Column('timestamptz', { nullable: true })
  scheduledAt!: Date | null;

  /** IANA timezone the schedule, cron and a campaign send window are read in. */
  @Column('text', { default: 'UTC' })
  timezone!: string;

  @Column('text', { nullable: true })
  cron!: string | null;

  @Column('jsonb', { nullable: true })
  sendWindow!: SendWindow | null;

  @Column('int', { nullable: true })
  expiresAfterMinutes!: number | null;

  /** Skip a contact who got any campaign message within this many hours; null = no cap. */
  @Column('int', { nullable: true })
  frequencyCapHours!: number | null;

  @Column('boolean', { default: false })
  allowPartial!: boolean;

  /** Requests forecast at scheduling time, kept to compare with what was spent. */
  @Column('jsonb', { nullable: true })
  forecast!: CampaignForecast | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  finishedAt!: Date | null;
}
