import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { CampaignState, RECIPIENT_STATES, RecipientState } from '../../common/domain';
import { PaginationQueryDto } from '../../common/http/pagination.dto';

/** `?state=&reason=` on top of the shared `?limit=&offset=` (limit ≤ MAX_PAGE_SIZE). */
export class RecipientsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: RECIPIENT_STATES })
  @IsOptional()
  @IsIn(RECIPIENT_STATES)
  state?: RecipientState;

  @ApiPropertyOptional({
    description: 'Exact reason, as the report lists it',
    example: 'Chat2Desk: not delivered',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class QuotaQueryDto {
  @ApiPropertyOptional({
    description: 'Spend one api_info request to read the service counter now',
    default: false,
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  refresh?: 'true' | 'false';
}

export class RecipientRowResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ example: '79001234567' }) phone!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ enum: RECIPIENT_STATES }) state!: RecipientState;
  @ApiProperty({ nullable: true, type: String, description: 'recipient_status as Chat2Desk reported it' })
  rawStatus!: string | null;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) sentAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deliveredAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) readAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) failedAt!: string | null;
}

export class RecipientPageResponse {
  @ApiProperty({ type: [RecipientRowResponse] }) items!: RecipientRowResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

class FailureReasonResponse {
  @ApiProperty({ enum: ['failed', 'unknown', 'skipped', 'expired'] }) state!: RecipientState;
  @ApiProperty({ example: 'Chat2Desk: not delivered' }) reason!: string;
  @ApiProperty() count!: number;
}

class TimelineBucketResponse {
  @ApiProperty({ format: 'date-time' }) minute!: string;
  @ApiProperty() sent!: number;
  @ApiProperty({ description: 'delivered or read in this minute' }) delivered!: number;
  @ApiProperty() failed!: number;
}

class ApiRequestsResponse {
  @ApiProperty() total!: number;
  @ApiProperty({ example: { send: 1000, create: 40, status_poll: 9 }, description: 'requests by kind' })
  byKind!: Record<string, number>;
}

class CampaignQuotaResponse {
  @ApiProperty({ description: 'requests spent by this campaign' }) used!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'requests forecast when it was scheduled' })
  forecast!: number | null;
}

export class CampaignReportResponse {
  @ApiProperty() campaignId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() state!: CampaignState;
  @ApiProperty() recipients!: number;
  @ApiProperty({ example: { sent: 0, delivered: 900, read: 50, failed: 40, unknown: 0, skipped: 10 } })
  counts!: Record<string, number>;
  @ApiProperty({ nullable: true, type: Number, description: '(delivered + read) ÷ handed to Chat2Desk' })
  deliveryRate!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'read ÷ handed to Chat2Desk' }) readRate!:
    number | null;
  @ApiProperty({ type: [FailureReasonResponse] }) failureReasons!: FailureReasonResponse[];
  @ApiProperty({ description: 'recipients who opted out after this campaign wrote to them' })
  optedOutAfterSend!: number;
  @ApiProperty({ type: [TimelineBucketResponse] }) timeline!: TimelineBucketResponse[];
  @ApiProperty({ type: ApiRequestsResponse }) apiRequests!: ApiRequestsResponse;
  @ApiProperty({ type: CampaignQuotaResponse }) quota!: CampaignQuotaResponse;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finishedAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) durationSeconds!: number | null;
}

class QuotaUsedResponse {
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'requests_this_month from Chat2Desk (last api_info)',
  })
  service!: number | null;
  @ApiProperty({ description: 'reserved by this app this month' }) local!: number;
  @ApiProperty({ description: 'recorded in the request ledger this month' }) ledger!: number;
}

export class QuotaOverviewResponse {
  @ApiProperty({ example: '2026-11' }) month!: string;
  @ApiProperty({ nullable: true, type: String, example: 'normal' }) mode!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'null = unlimited or not known yet' }) limit!:
    number | null;
  @ApiProperty({ type: QuotaUsedResponse }) used!: QuotaUsedResponse;
  @ApiProperty({ description: 'forecast requests of scheduled and running campaigns not spent yet' })
  reservedByCampaigns!: number;
  @ApiProperty() reserve!: number;
  @ApiProperty({ nullable: true, type: Number }) available!: number | null;
  @ApiProperty() rateLimitPerSecond!: number;
}
