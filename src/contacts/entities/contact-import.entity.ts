import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';
export type ImportMode = 'update' | 'skip';

/** A persisted import job: the uploaded file stays on disk until the job is finished. */
@Entity('contact_imports')
export class ContactImport {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  listId!: string;

  @Column('text')
  status!: ImportStatus;

  @Column('text')
  filePath!: string;

  @Column('text')
  originalName!: string;

  @Column('bigint', { transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  fileBytes!: number;

  @Column('text', { nullable: true })
  defaultCountry!: string | null;

  @Column('text')
  mode!: ImportMode;

  @Column('text', { nullable: true })
  phoneColumn!: string | null;

  @Column('text', { nullable: true })
  nameColumn!: string | null;

  /** The file's header row, for rejected.csv. */
  @Column('jsonb', { nullable: true })
  header!: string[] | null;

  @Column('integer')
  rows!: number;

  @Column('integer')
  imported!: number;

  @Column('integer')
  updated!: number;

  @Column('integer')
  duplicates!: number;

  @Column('integer')
  invalid!: number;

  /** Rows parsed so far by the running attempt (committed separately, for progress bars). */
  @Column('integer')
  progressRows!: number;

  @Column('bigint', { transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  progressBytes!: number;

  @Column('integer')
  attempts!: number;

  @Column('text', { nullable: true })
  error!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  finishedAt!: Date | null;
}
