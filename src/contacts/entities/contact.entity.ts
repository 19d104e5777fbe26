import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type PhoneType =
  | 'mobile'
  | 'fixed_line'
  | 'fixed_line_or_mobile'
  | 'premium_rate'
  | 'toll_free'
  | 'shared_cost'
  | 'voip'
  | 'personal_number'
  | 'pager'
  | 'uan'
  | 'voicemail';

/** One phone in one list. Bulk writes go through raw SQL (ImportService); this maps reads. */
@Entity('contacts')
export class Contact {
  /** bigint: returned by pg as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column('uuid')
  listId!: string;

  /** E.164 digits without '+', e.g. 79161234567. */
  @Column('text')
  phone!: string;

  @Column('text', { nullable: true })
  name!: string | null;

  /** Every other CSV column, header → value: the template variables. */
  @Column('jsonb', { default: {} })
  attributes!: Record<string, string>;

  @Column('boolean', { default: false })
  optedOut!: boolean;

  @Column('text', { nullable: true })
  phoneType!: PhoneType | null;

  /** ISO 3166 alpha-2 of the phone's country. */
  @Column('text', { nullable: true })
  country!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
