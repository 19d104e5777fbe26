import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Local cache of phone → Chat2Desk client per transport and channel. `readyAt` makes the WhatsApp
 * new-client delay data: the dispatcher only claims recipients whose client is ready.
 */
@Entity('chat2desk_clients')
export class KnownClient {
  @PrimaryColumn('text')
  phone!: string;

  @PrimaryColumn('text')
  transport!: string;

  @PrimaryColumn('bigint')
  channelId!: string;

  @Column('bigint')
  clientId!: string;

  @Column('boolean', { default: false })
  createdByUs!: boolean;

  @Column('timestamptz')
  readyAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
