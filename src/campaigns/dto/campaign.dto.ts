import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsSafeInt } from '../../common/http/validators';
import { PaginationQueryDto } from '../../common/http/pagination.dto';
import { CAMPAIGN_STATES, CampaignState, Transport, TRANSPORTS } from '../../common/domain';
import type { ContactFilter, SendWindow } from '../campaign.types';

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A year: a run that may still start later than that is a mistake (and the column is an int). */
export const MAX_EXPIRES_AFTER_MINUTES = 525_600;

export class SendWindowDto implements SendWindow {
  @ApiProperty({ example: '10:00', description: 'Opening, HH:MM local time' })
  @Matches(TIME_OF_DAY, { message: 'sendWindow.start must be HH:MM, e.g. 10:00' })
  start!: string;

  @ApiProperty({
    example: '20:00',
    description: 'Closing, HH:MM local time; may be before start (window over midnight)',
  })
  @Matches(TIME_OF_DAY, { message: 'sendWindow.end must be HH:MM, e.g. 20:00' })
  end!: string;

  @ApiProperty({
    enum: ['recipient', 'campaign'],
    description: "recipient: the timezone of the phone's country (campaign timezone when unknown)",
  })
  @IsIn(['recipient', 'campaign'])
  timezone!: 'recipient' | 'campaign';
}

/** What a campaign is made of; CampaignsService checks the rules that need the database. */
export class CreateCampaignDto {
  @ApiProperty({ example: 'Black Friday reminder' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  listId!: string;

  @ApiPropertyOptional({
    description:
      'Local message text with {{variables}} and {{name|default}}; exactly one of text and templateId',
    example: 'Hello, {{name|клиент}}! Order {{order_id}} is ready.',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  text?: string;

  @ApiPropertyOptional({
    description: 'A Chat2Desk template id (GET /api/templates); exactly one of text and templateId',
  })
  @IsOptional()
  @IsSafeInt()
  @Min(1)
  templateId?: number;

  @ApiProperty({ enum: TRANSPORTS })
  @IsIn(TRANSPORTS)
  transport!: Transport;

  @ApiProperty({ description: 'Chat2Desk channel id' })
  @IsSafeInt()
  @Min(1)
  channelId!: number;

  @ApiPropertyOptional({
    description: 'ISO 8601; without an offset it is read in `timezone`',
    example: '2026-12-01T10:00',
  })
  @IsOptional()
  @IsString()
  scheduledAt?: string;

  @ApiPropertyOptional({
    description: 'IANA timezone of scheduledAt, cron and a campaign send window',
    default: 'UTC',
    example: 'Europe/Moscow',
  })
  @IsOptional()
  @IsString()
  timezone?: string;

  @ApiPropertyOptional({
    description: 'Recurrence; each occurrence is a run with its own recipients',
    example: '0 10 * * 1',
  })
  @IsOptional()
  @IsString()
  cron?: string;

  @ApiPropertyOptional({ type: SendWindowDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SendWindowDto)
  sendWindow?: SendWindowDto;

  @ApiPropertyOptional({
    description: 'Do not start, or stop, a run this many minutes after its scheduled time (at most a year)',
    minimum: 1,
    maximum: MAX_EXPIRES_AFTER_MINUTES,
  })
  @IsOptional()
  @IsSafeInt()
  @Min(1)
  @Max(MAX_EXPIRES_AFTER_MINUTES)
  expiresAfterMinutes?: number;

  @ApiPropertyOptional({
    description:
      'Skip contacts who already received a campaign message (of any campaign) in the last N hours, reason "frequency cap"; 0 or absent = off',
    minimum: 0,
    maximum: 8760,
  })
  @IsOptional()
  @IsSafeInt()
  @Min(0)
  @Max(8760)
  frequencyCapHours?: number;

  @ApiPropertyOptional({
    description: 'Only contacts whose attributes equal these values',
    example: { city: 'Moscow' },
  })
  @IsOptional()
  @IsObject()
  contactFilter?: ContactFilter;

  @ApiPropertyOptional({
    description: 'Schedule even when the forecast exceeds the month’s remaining quota',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  allowPartial?: boolean;
}

export class UpdateCampaignDto extends PartialType(CreateCampaignDto) {}

export class ScheduleCampaignDto {
  @ApiPropertyOptional({ description: "Overrides the campaign's scheduledAt", example: '2026-12-01T10:00' })
  @IsOptional()
  @IsString()
  scheduledAt?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  allowPartial?: boolean;
}

export class StartCampaignDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  allowPartial?: boolean;
}

export class TestSendDto {
  @ApiProperty({
    description:
      'Any written form, read as imports read it (no country code = Russia): +7 916 123-45-67, 8 (916) 123-45-67, 79161234567',
    example: '8 916 123-45-67',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  phone!: string;
}

export class ListCampaignsQuery extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: CAMPAIGN_STATES })
  @IsOptional()
  @IsIn(CAMPAIGN_STATES)
  state?: CampaignState;
}

export class PreviewQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 5 })
  @IsOptional()
  @Type(() => Number)
  @IsSafeInt()
  @Min(1)
  @Max(100)
  limit = 5;
}

export class TemplatesQuery {
  @ApiPropertyOptional({ description: 'Sync from Chat2Desk first (one API request)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  refresh?: 'true' | 'false';
}
