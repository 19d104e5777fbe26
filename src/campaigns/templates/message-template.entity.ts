import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A Chat2Desk quick-reply template, copied locally by TemplatesService.sync(). */
@Entity('message_templates')
export class MessageTemplate {
  /** The Chat2Desk template id. */
  @PrimaryColumn('bigint')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  text!: string;

  @Column('timestamptz')
  syncedAt!: Date;
}
