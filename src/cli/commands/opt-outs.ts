import { Command, Option } from 'nest-commander';
import { AuditService } from '../../audit/audit.service';
import { CLI_ACTOR, CliCommand } from '../cli-command';
import { CliOptions, printResult } from '../cli-output';
import { UsageError } from '../exit-codes';
import { NotFoundError } from '../../common/errors/domain-error';
import { OptOutResult, OptOutService } from '../../contacts/opt-out.service';

interface OptOutOptions extends CliOptions {
  reason?: string;
}

/** The CLI face of POST /api/opt-outs: same service, same audit event. */
@Command({
  name: 'opt-out',
  arguments: '<phone>',
  description:
    'Add a phone (E.164) to the do-not-contact register; its recipients not yet sent, running campaigns included, are skipped',
})
export class OptOutCommand extends CliCommand<OptOutOptions> {
  constructor(
    private readonly optOuts: OptOutService,
    private readonly audit: AuditService,
  ) {
    super();
  }

  async execute([phone]: string[], options: OptOutOptions): Promise<void> {
    if (!phone) throw new UsageError('opt-out: give the phone, e.g. +79161234567');
    const result = await this.optOuts.optOut(phone, 'manual', options.reason);
    await this.audit.record({
      actor: CLI_ACTOR,
      action: 'contact.opted_out',
      entityType: 'phone',
      entityId: result.phone,
      details: { recipientsSkipped: result.recipientsSkipped },
    });
    printResult(options, result, describeOptOut);
  }

  @Option({ flags: '--reason <text>', description: 'why (kept in the register)' })
  parseReason(value: string): string {
    return value;
  }
}

@Command({
  name: 'opt-in',
  arguments: '<phone>',
  description: 'Remove a phone from the do-not-contact register (future campaigns include it again)',
})
export class OptInCommand extends CliCommand {
  constructor(
    private readonly optOuts: OptOutService,
    private readonly audit: AuditService,
  ) {
    super();
  }

  async execute([phone]: string[], options: CliOptions): Promise<void> {
    if (!phone) throw new UsageError('opt-in: give the phone, e.g. +79161234567');
    if (!(await this.optOuts.optIn(phone))) throw new NotFoundError('Opt-out', phone);
    const digits = phone.replace(/^\+/, '');
    await this.audit.record({
      actor: CLI_ACTOR,
      action: 'contact.opted_in',
      entityType: 'phone',
      entityId: digits,
    });
    printResult(options, { phone: digits, optedOut: false }, (result) => `${result.phone} opted back in`);
  }
}

function describeOptOut(result: OptOutResult): string {
  return [
    `${result.phone} ${result.created ? 'opted out' : 'was already opted out'}`,
    `  contacts flagged      ${result.contactsUpdated}`,
    `  recipients skipped    ${result.recipientsSkipped}`,
  ].join('\n');
}

export const OPT_OUT_COMMANDS = [OptOutCommand, OptInCommand];
