import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock/clock';
import { InvalidInputError } from '../common/errors/domain-error';
import { Chat2DeskClient } from './chat2desk.client';
import type { Channel } from './chat2desk.types';

/** Channels change rarely and every request spends quota: one lookup serves for a while. */
export const CHANNELS_CACHE_MS = 5 * 60_000;

export type ChannelSummary = Pick<Channel, 'id' | 'name' | 'phone' | 'transports'>;

/** The account's channels and their transports (GET /v1/channels), kept for five minutes. */
@Injectable()
export class ChannelDirectory {
  private cached?: { channels: ChannelSummary[]; fetchedAtMs: number };

  constructor(
    private readonly client: Chat2DeskClient,
    private readonly clock: Clock,
  ) {}

  async list(refresh = false): Promise<ChannelSummary[]> {
    const fresh = this.cached && this.clock.nowMs() - this.cached.fetchedAtMs < CHANNELS_CACHE_MS;
    if (!fresh || refresh) {
      const page = await this.client.channels({ limit: 200 }, { kind: 'info' });
      const channels = page.data.map(({ id, name, phone, transports }) => ({ id, name, phone, transports }));
      this.cached = { channels, fetchedAtMs: this.clock.nowMs() };
    }
    return this.cached!.channels;
  }

  /**
   * Refuses a campaign for a channel the account does not have, or a transport the channel does not
   * offer (every send would fail). When Chat2Desk cannot be asked, the campaign is not held up: the
   * sends would report the problem.
   */
  async assertOffers(channelId: number, transport: string): Promise<void> {
    const channels = await this.list().catch(() => undefined);
    if (!channels) return;
    const channel = channels.find((candidate) => candidate.id === channelId);
    if (!channel)
      throw new InvalidInputError(
        'channelId',
        `the account has no channel ${channelId}; its channels: ${channels.map((c) => `${c.id} (${c.name})`).join(', ')}`,
      );
    if (!channel.transports.includes(transport))
      throw new InvalidInputError(
        'transport',
        `channel ${channel.id} (${channel.name}) has no ${transport}; it offers ${channel.transports.join(', ')}`,
      );
  }
}
