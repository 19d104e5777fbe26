import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type CampaignRunState = 'preparing' | 'running' | 'completed' | 'cancelled' | 'expired';

/** One occurrence of a campaign (a one-off campaign has one; a recurring one, one per cron tick). */
@Entity('campaign_runs')
export class CampaignRun {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  campaignId!: string;

  @Column('timestamptz')
  occurrenceAt!: Date;

  @Column('text', { default: 'preparing' })
  state!: CampaignRunState;

  /** The message template frozen for this run (template text or local text, before variables). */
  @Column('text')
  messageText!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  finishedAt!: Date | null;
}
