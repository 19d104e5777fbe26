import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { OptOutService } from '../../contacts/opt-out.service';
import { RecipientStatusStore } from '../../recipients/recipient-status.store';
import { StatusRecorder } from '../status-recorder';
import { isStopWord } from './stop-words';

/** What the webhook did with one event, echoed to the caller and to tests. */
export type WebhookOutcome =
  | { handled: 'opted_out'; phone: string }
  | { handled: 'inbox' }
  | { handled: 'stop_word_unknown_client'; clientId: number | null }
  | { handled: 'status'; transitions: number }
  | { handled: 'ignored'; event: string };

type Payload = Record<string, unknown>;

/**
 * Chat2Desk webhook events. Newer webhooks name the event (`inbox`, `outbox`, `outbox_status`);
 * the older company hook posts the message as `GET /v1/messages` shows it, so `type` decides.
 */
@Injectable()
export class Chat2DeskWebhookService {
  private readonly logger = new Logger(Chat2DeskWebhookService.name);

  constructor(
    private readonly statuses: RecipientStatusStore,
    private readonly recorder: StatusRecorder,
    private readonly optOuts: OptOutService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handle(payload: Payload): Promise<WebhookOutcome> {
    const message = isObject(payload.message) ? { ...payload.message, ...payload } : payload;
    const event = String(payload.event ?? payload.type ?? '');
    if (event === 'inbox' || event === 'from_client') return this.handleInbox(message);
    if (event === 'outbox' || event === 'outbox_status' || event === 'to_client')
      return this.handleStatus(message);
    return { handled: 'ignored', event };
  }

  private async handleInbox(message: Payload): Promise<WebhookOutcome> {
    if (!isStopWord(stringOrNull(message.text), this.config.stopWords)) return { handled: 'inbox' };
    const clientId = numberOrNull(
      message.client_id ?? (isObject(message.client) ? message.client.id : undefined),
    );
    // The payload may carry only the client id: our client cache and recipients know its phone.
    const phone =
      (isObject(message.client) ? stringOrNull(message.client.phone) : null) ??
      (clientId === null ? null : await this.statuses.phoneOfClient(clientId));
    if (!phone) {
      this.logger.warn(
        `Stop word from Chat2Desk client ${clientId ?? '?'} whose phone is unknown here: not opted out`,
      );
      return { handled: 'stop_word_unknown_client', clientId };
    }
    const text = String(message.text).trim();
    const result = await this.optOuts.optOut(
      phone,
      'webhook',
      `stop word "${text}" at ${this.clock.now().toISOString()}`,
    );
    return { handled: 'opted_out', phone: result.phone };
  }

  private async handleStatus(message: Payload): Promise<WebhookOutcome> {
    const messageId = numberOrNull(message.message_id ?? message.id);
    const rawStatus = stringOrNull(message.recipient_status ?? message.status);
    if (messageId === null || rawStatus === null) return { handled: 'status', transitions: 0 };
    const transitions = await this.recorder.apply([{ messageId, rawStatus }], 'webhook', this.clock.now());
    return { handled: 'status', transitions };
  }
}

function isObject(value: unknown): value is Payload {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : null;
}
