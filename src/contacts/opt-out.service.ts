import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock/clock';
import { InvalidInputError } from '../common/errors/domain-error';
import { Database } from '../database/database';
import { RecipientOptOutsStore } from '../recipients/recipient-opt-outs.store';
import { OptOut, OptOutSource, OptOutStore } from './opt-out.store';

export interface OptOutResult {
  phone: string;
  /** False when the phone was already opted out (the first record is kept). */
  created: boolean;
  /** Contacts (in any list) newly flagged opted_out. */
  contactsUpdated: number;
  /** Recipients not yet sent (any campaign, any run) now `skipped` with reason `opted out`. */
  recipientsSkipped: number;
}

/** The global do-not-contact register: campaigns skip every contact flagged here. */
@Injectable()
export class OptOutService {
  constructor(
    private readonly database: Database,
    private readonly optOuts: OptOutStore,
    private readonly recipients: RecipientOptOutsStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Records the opt-out, flags the phone in every list and skips its recipients not yet sent in
   * every run (running campaigns included), in one transaction. Idempotent. A recipient already
   * claimed (`sending`) is the claim's to decide: it re-checks the register in the same statement.
   */
  async optOut(phone: string, source: OptOutSource, reason?: string | null): Promise<OptOutResult> {
    const digits = toE164Digits(phone);
    return this.database.transaction(async (sql) => {
      const created = await this.optOuts.insert(digits, source, reason ?? null, sql);
      const contactsUpdated = await this.optOuts.flagContacts(digits, sql);
      const recipientsSkipped = await this.recipients.skipUnsent(digits, this.clock.now(), sql);
      return { phone: digits, created, contactsUpdated, recipientsSkipped };
    });
  }

  /** Removes the phone from the register (a customer asked to be contacted again). */
  async optIn(phone: string): Promise<boolean> {
    const digits = toE164Digits(phone);
    return this.database.transaction(async (sql) => {
      const deleted = await this.optOuts.delete(digits, sql);
      await this.optOuts.unflagContacts(digits, sql);
      return deleted;
    });
  }

  async isOptedOut(phone: string): Promise<boolean> {
    return this.optOuts.exists(toE164Digits(phone));
  }

  async find(phone: string): Promise<OptOut | null> {
    return this.optOuts.find(toE164Digits(phone));
  }
}

/** Callers pass E.164 with or without '+'; anything else is a bug upstream worth a clear error. */
function toE164Digits(phone: string): string {
  const digits = phone.replace(/^\+/, '').replace(/[\s()-]/g, '');
  if (!/^\d{7,15}$/.test(digits))
    throw new InvalidInputError('phone', `"${phone}" is not an E.164 phone number`);
  return digits;
}
