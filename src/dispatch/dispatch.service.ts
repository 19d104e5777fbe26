import { Injectable } from '@nestjs/common';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import { DomainError } from '../common/errors/domain-error';
import { ClientResolver } from './client-resolver';
import { CachedClient, PhoneKey, PreparationQueue } from '../recipients/preparation-queue';

export interface SingleSendResult {
  clientId: number;
  /** null when the account answers without message_id. */
  messageId: number | null;
}

/** What other modules call: a test send to one phone, and the campaign's preparation/dispatch problems. */
@Injectable()
export class DispatchService {
  constructor(
    private readonly client: Chat2DeskClient,
    private readonly preparation: PreparationQueue,
    private readonly resolver: ClientResolver,
  ) {}

  /**
   * Sends one message now (a campaign's test send): the client comes from the cache, or is resolved
   * exactly as for a campaign. A WhatsApp client created moments ago (by anyone's request of ours) is
   * refused with 409 naming when it will be ready, rather than breaking the new-client delay.
   */
  async sendSingle(
    phone: string,
    transport: string,
    channelId: number,
    text: string,
  ): Promise<SingleSendResult> {
    const client = await this.clientFor({ phone, transport, channelId });
    if (!client.ready) {
      throw new DomainError(
        'conflict',
        'chat2desk_client_not_ready',
        `The WhatsApp client for ${phone} was just created; it can be written to from ${client.readyAt.toISOString()}`,
        { readyAt: client.readyAt.toISOString() },
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

  private async clientFor(key: PhoneKey): Promise<CachedClient> {
    const cached = await this.preparation.cachedClient(key.phone, key.transport, key.channelId);
    if (cached) return cached;
    const resolution = await this.resolver.resolve(key, 'lookup');
    if (resolution.kind === 'client') {
      await this.preparation.cacheClients(key.transport, key.channelId, [resolution.client]);
      const resolved = await this.preparation.cachedClient(key.phone, key.transport, key.channelId);
      if (resolved) return resolved;
    }
    const reason =
      resolution.kind === 'impossible'
        ? resolution.failure.reason
        : resolution.kind === 'later'
          ? (resolution.error ?? resolution.stop)
          : undefined;
    throw new DomainError(
      resolution.kind === 'impossible' ? 'conflict' : 'unavailable',
      'chat2desk_client_unavailable',
      `No Chat2Desk client for ${key.phone} could be found or created${reason ? `: ${reason}` : ''}`,
      { phone: key.phone },
    );
  }
}
