import { ClientReadiness } from '../../clients/client-readiness';
import { parseExpression } from 'cron-parser';
import { DateTime, IANAZone } from 'luxon';
import { InvalidInputError } from '../../common/errors/domain-error';
import type { Transport } from '../../common/domain';

export function assertTimezone(timezone: string): void {
  if (!IANAZone.isValidZone(timezone)) {
    throw new InvalidInputError(
      'timezone',
      `"${timezone}" is not an IANA timezone; use a name like Europe/Moscow or UTC`,
    );
  }
}

export function assertCron(cron: string, timezone: string): void {
  try {
    parseExpression(cron, { tz: timezone });
  } catch (error) {
    throw new InvalidInputError(
      'cron',
      `"${cron}" is not a cron expression (${(error as Error).message}); e.g. "0 10 * * 1" = Mondays at 10:00`,
    );
  }
}

/** The first occurrence of `cron` strictly after `after`, read in `timezone` (so "0 10 * * *" is 10:00 there, DST included). */
export function nextOccurrence(cron: string, timezone: string, after: Date): Date {
  return parseExpression(cron, { tz: timezone, currentDate: after }).next().toDate();
}

/**
 * `2026-12-01T10:00` (no offset) is read in the campaign's timezone; a string with an offset or Z
 * is an absolute instant.
 */
export function parseScheduledAt(value: string, timezone: string): Date {
  const parsed = DateTime.fromISO(value, { zone: timezone, setZone: false });
  if (!parsed.isValid) {
    throw new InvalidInputError(
      'scheduledAt',
      `"${value}" is not an ISO 8601 date-time; e.g. 2026-12-01T10:00 (read in the campaign timezone) or 2026-12-01T07:00:00Z`,
    );
  }
  return parsed.toJSDate();
}

/**
 * How long before an occurrence its recipients are prepared: clients we create can be written to
 * only once ClientReadiness allows (WhatsApp: the new-client delay and its safety margin), so
 * preparation starts that much earlier, plus a margin for the lookups and creations themselves.
 */
export function preparationLeadMs(
  transport: Transport,
  readiness: ClientReadiness,
  marginSeconds: number,
): number {
  return readiness.waitAfterCreationMs(transport) + marginSeconds * 1000;
}
