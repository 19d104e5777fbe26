import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WAITING_TO_SEND_STATES } from '../common/domain';
import { OPTED_OUT_REASON } from '../common/domain';
import { Clock } from '../common/clock/clock';
import { InvalidInputError } from '../common/errors/domain-error';
import { OptOut, OptOutSource } from './entities/opt-out.entity';

export interface OptOutResult {
  phone: string;
  /** False when the phone was already opted out (the first record is kept). */
  created: boolean;
  /** Contacts (in any list) newly flagged opted_out. */
  contactsUpdated: number;
  /** Recipients not yet sent (any campaign, any run) now `skipped` with reason `opted out`. */
  recipientsSkipped: number;
}

/** The phone $1 in every list, found through the (list_id, phone) unique index. */
const IN_EVERY_LIST = 'list_id IN (SELECT id FROM contact_lists) AND phone = $1';

/** The global do-not-contact register: campaigns skip every contact flagged here. */
@Injectable()
export class OptOutService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Records the opt-out, flags the phone in every list and skips its recipients not yet sent in
   * every run (running campaigns included), in one transaction. Idempotent. A recipient already
   * claimed (`sending`) is the claim's to decide: it re-checks the register in the same statement.
   */
  async optOut(phone: string, source: OptOutSource, reason?: string | null): Promise<OptOutResult> {
    const digits = toE164Digits(phone);
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO opt_outs (phone, source, reason) VALUES ($1, $2, $3) ON CONFLICT (phone) DO NOTHING RETURNING phone`,
        [digits, source, reason ?? null],
      );
      const [, contactsUpdated] = (await manager.query(
        `UPDATE contacts SET opted_out = true, updated_at = now() WHERE ${IN_EVERY_LIST} AND NOT opted_out`,
        [digits],
      )) as [unknown, number];
      const [, recipientsSkipped] = (await manager.query(
        `UPDATE campaign_recipients SET state = 'skipped', reason = $2, next_attempt_at = NULL,
           lease_owner = NULL, lease_expires_at = NULL, updated_at = $3
         WHERE phone = $1 AND state = ANY($4::text[])`,
        [digits, OPTED_OUT_REASON, this.clock.now(), WAITING_TO_SEND_STATES],
      )) as [unknown, number];
      return { phone: digits, created: inserted.length > 0, contactsUpdated, recipientsSkipped };
    });
  }

  /** Removes the phone from the register (a customer asked to be contacted again). */
  async optIn(phone: string): Promise<boolean> {
    const digits = toE164Digits(phone);
    return this.dataSource.transaction(async (manager) => {
      // UPDATE and DELETE answer [rows, affected] through TypeORM's postgres driver.
      const [, deleted] = (await manager.query(`DELETE FROM opt_outs WHERE phone = $1`, [digits])) as [
        unknown,
        number,
      ];
      await manager.query(
        `UPDATE contacts SET opted_out = false, updated_at = now() WHERE ${IN_EVERY_LIST} AND opted_out`,
        [digits],
      );
      return deleted > 0;
    });
  }

  async isOptedOut(phone: string): Promise<boolean> {
    return (await this.dataSource.getRepository(OptOut).countBy({ phone: toE164Digits(phone) })) > 0;
  }

  async find(phone: string): Promise<OptOut | null> {
    return this.dataSource.getRepository(OptOut).findOneBy({ phone: toE164Digits(phone) });
  }
}

/** Callers pass E.164 with or without '+'; anything else is a bug upstream worth a clear error. */
function toE164Digits(phone: string): string {
  const digits = phone.replace(/^\+/, '').replace(/[\s()-]/g, '');
  if (!/^\d{7,15}$/.test(digits))
    throw new InvalidInputError('phone', `"${phone}" is not an E.164 phone number`);
  return digits;
}
