import type { Transport } from '../common/domain';
import type { AppConfig } from '../config/app-config';

/**
 * When a Chat2Desk client may first be messaged (invariant 9), the one rule: WhatsApp waits the
 * new-client delay plus a safety margin after the latest creation WE asked for the phone, on any
 * channel, whoever's request (lookup, sync, retry) then found the client; other transports, and
 * clients we never asked to create, are ready at once. Planning (forecast, the scheduler's lead,
 * the preparer's strategy) and the cache's `ready_at` both come from here.
 */
export class ClientReadiness {
  constructor(
    private readonly newClientDelaySeconds: number,
    private readonly safetyMarginSeconds: number,
  ) {}

  static fromConfig(config: AppConfig): ClientReadiness {
    return new ClientReadiness(config.whatsappNewClientDelaySeconds, config.whatsappSafetyMarginSeconds);
  }

  /** Seconds between asking to create a client and its first message. */
  waitAfterCreationSeconds(transport: Transport): number {
    return transport === 'whatsapp' ? this.newClientDelaySeconds + this.safetyMarginSeconds : 0;
  }

  waitAfterCreationMs(transport: Transport): number {
    return this.waitAfterCreationSeconds(transport) * 1000;
  }

  /**
   * The rule in SQL on the database's clock, for a row with `phone` and `transport` expressions;
   * `waitSeconds` is the SQL parameter holding `waitAfterCreationSeconds('whatsapp')`.
   */
  readyAtSql(phone: string, transport: string, waitSeconds: string): string {
    return `CASE WHEN ${transport} = 'whatsapp'
    THEN greatest(now(), (SELECT i.started_at FROM client_creation_intents i WHERE i.phone = ${phone}) + ${waitSeconds} * interval '1 second')
    ELSE now() END`;
  }
}
