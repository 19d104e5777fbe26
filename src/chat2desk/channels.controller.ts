import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { ChannelDirectory } from './channel-directory';
import { RequireRole } from '../auth/roles.decorator';

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
  constructor(private readonly channels: ChannelDirectory) {}

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: [ChannelResponse] })
  list(@Query() query: ChannelsQuery): Promise<ChannelResponse[]> {
    return this.channels.list(query.refresh === true);
  }
}
