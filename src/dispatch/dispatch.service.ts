import { Inject, Injectable } from '@nestjs/common';
import { Chat2DeskClientAlreadyExistsError } from '../chat2desk/chat2desk.errors';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import { Clock } from '../common/clock/clock';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { PreparationQueue, ResolvedClient } from './preparation-queue';

export interface SingleSendResult {
  clientId: number;
  /** null when the account answers without message_id. */
  messageId: number | null;
}

/** What other modules call: a test send to one phone, and the campaign's preparation/dispatch problems. */
@Injectable()
export class DispatchService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly client: Chat2DeskClient,
    private readonly preparation: PreparationQueue,
  ) {}

  /**
   * Sends one message now (a campaign's test send): the client comes from the cache, a lookup or a
   * creation, exactly as for a campaign. A WhatsApp client created moments ago is refused with 409
   * naming when it will be ready, rather than breaking the new-client delay.
   */
  async sendSingle(
    phone: string,
    transport: string,
    channelId: number,
    text: string,
  ): Promise<SingleSendResult> {
    const client = await this.clientFor(phone, transport, channelId);
    if (client.readyAt.getTime() > this.clock.nowMs()) {
      throw new DomainError(
        'conflict',
        'chat2desk_client_not_ready',
        `The WhatsApp client for ${phone} was just created; it can be written to from ${client.readyAt.toISOString()}`,
        {
          readyAt: client.readyAt.toISOString(),
        },
      );
    }
    const answer = await this.client.sendMessage(
      { clientId: client.clientId, text, type: 'to_client', transport, channelId },
      { kind: 'send' },
    );
    return { clientId: client.clientId, messageId: answer.message_id ?? null };
  }

  /** Failed and skipped recipients grouped by reason, e.g. "client creation disabled" × 120. */
  problemSummary(campaignId: string): Promise<Array<{ state: string; reason: string; count: number }>> {
    return this.preparation.problemSummary(campaignId);
  }

  private async clientFor(phone: string, transport: string, channelId: number): Promise<ResolvedClient> {
    const cached = await this.preparation.cachedClient(phone, transport, channelId);
    if (cached) return cached;
    const now = this.clock.now();
    const resolved = (await this.findOrCreate(phone, transport, channelId, now)) satisfies ResolvedClient;
    await this.preparation.cacheClients(transport, channelId, [resolved], now);
    return resolved;
  }

  private async findOrCreate(
    phone: string,
    transport: string,
    channelId: number,
    now: Date,
  ): Promise<ResolvedClient> {
    const found = await this.client.findClientByPhone(phone, { kind: 'lookup' });
    if (found) return { phone, clientId: found.id, createdByUs: false, readyAt: now };
    try {
      const created = await this.client.createClient(phone, transport, channelId, { kind: 'create' });
      const delayMs = transport === 'whatsapp' ? this.config.whatsappNewClientDelaySeconds * 1000 : 0;
      return { phone, clientId: created.id, createdByUs: true, readyAt: new Date(now.getTime() + delayMs) };
    } catch (error) {
      if (error instanceof Chat2DeskClientAlreadyExistsError && error.existingClientId !== undefined) {
        return { phone, clientId: error.existingClientId, createdByUs: false, readyAt: now };
      }
      throw error;
    }
  }
}
