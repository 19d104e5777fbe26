import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type OptOutSource = 'webhook' | 'manual' | 'import';

/** A phone here is excluded from every future campaign, whatever list it is in. */
@Entity('opt_outs')
export class OptOut {
  @PrimaryColumn('text')
  phone!: string;

  @Column('text')
  source!: OptOutSource;

  @Column('text', { nullable: true })
  reason!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
