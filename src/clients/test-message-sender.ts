import { Injectable } from '@nestjs/common';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import type { Transport } from '../common/domain';
import { DomainError } from '../common/errors/domain-error';
import { ClientDirectoryStore } from './client-directory.store';
import { ClientResolver } from './client-resolver';
import type { CachedClient, PhoneKey } from './client.types';

export interface TestMessageResult {
  clientId: number;
  /** null when the account answers without message_id. */
  messageId: number | null;
}

/**
 * Sends one message now (a campaign's test send): the client comes from the directory, or is
 * resolved exactly as for a campaign. A WhatsApp client created moments ago (by anyone's request of
 * ours) is refused with 409 naming when it will be ready, rather than breaking the new-client delay.
 */
@Injectable()
export class TestMessageSender {
  constructor(
    private readonly client: Chat2DeskClient,
    private readonly directory: ClientDirectoryStore,
    private readonly resolver: ClientResolver,
  ) {}

  async send(
    phone: string,
    transport: Transport,
    channelId: number,
    text: string,
  ): Promise<TestMessageResult> {
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

  private async clientFor(key: PhoneKey): Promise<CachedClient> {
    const cached = await this.directory.cachedClient(key.phone, key.transport, key.channelId);
    if (cached) return cached;
    const resolution = await this.resolver.resolve(key, 'lookup');
    if (resolution.kind === 'client') {
      await this.directory.cacheClients(key.transport, key.channelId, [resolution.client]);
      const resolved = await this.directory.cachedClient(key.phone, key.transport, key.channelId);
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
