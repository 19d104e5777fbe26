import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { Clock } from '../common/clock/clock';
import { Chat2DeskClient } from './chat2desk.client';
import { RequireRole } from '../auth/roles.decorator';

/** Channels change rarely and every request spends quota: one lookup serves the dashboard for a while. */
const CHANNELS_CACHE_MS = 5 * 60_000;

export class ChannelResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() phone!: string;
  @ApiProperty({ type: [String], example: ['whatsapp', 'sms'] }) transports!: string[];
}

export class ChannelsQuery {
  @ApiPropertyOptional({ description: 'Ask Chat2Desk now instead of the copy kept for 5 minutes' })
  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  refresh?: boolean;
}

/** The account's channels and their transports, for choosing where a campaign is sent from. */
@ApiTags('chat2desk')
@Controller('api/channels')
export class ChannelsController {
  private cached?: { channels: ChannelResponse[]; fetchedAtMs: number };

  constructor(
    private readonly client: Chat2DeskClient,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: [ChannelResponse] })
  async list(@Query() query: ChannelsQuery): Promise<ChannelResponse[]> {
    const fresh = this.cached && this.clock.nowMs() - this.cached.fetchedAtMs < CHANNELS_CACHE_MS;
    if (!fresh || query.refresh) {
      const page = await this.client.channels({ limit: 200 }, { kind: 'info' });
      const channels = page.data.map(({ id, name, phone, transports }) => ({ id, name, phone, transports }));
      this.cached = { channels, fetchedAtMs: this.clock.nowMs() };
    }
    return this.cached!.channels;
  }
}
