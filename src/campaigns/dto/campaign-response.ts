import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Page } from '../../common/http/pagination.dto';
import type { RecipientState } from '../../common/domain';
import { USER_ACTIONS, UserAction, userActionsFrom } from '../campaign-transitions';
import type { Campaign, ContactFilter, SendWindow } from '../campaign.types';
import type { CampaignForecast } from '../forecast/campaign-forecast';

/**
 * Recipients by state, as the public contract groups them: `waiting` = waiting_ready +
 * ready (in preparation or due to be sent), `unknown` = sent but no final status by the deadline.
 */
export class RecipientCounts {
  @ApiProperty() total = 0;
  @ApiProperty() pending = 0;
  @ApiProperty({ description: 'waiting_ready + ready' }) waiting = 0;
  @ApiProperty() sending = 0;
  @ApiProperty() sent = 0;
  @ApiProperty() delivered = 0;
  @ApiProperty() read = 0;
  @ApiProperty() failed = 0;
  @ApiProperty() skipped = 0;
  @ApiProperty() expired = 0;
  @ApiProperty() unknown = 0;

  static fromStates(rows: ReadonlyArray<{ state: RecipientState; count: number }>): RecipientCounts {
    const counts = new RecipientCounts();
    for (const { state, count } of rows) {
      counts.total += count;
      const bucket = state === 'waiting_ready' || state === 'ready' ? 'waiting' : state;
      counts[bucket] += count;
    }
    return counts;
  }
}

export class RunSummary {
  @ApiProperty() id!: string;
  @ApiProperty() occurrenceAt!: Date;
  @ApiProperty({ enum: ['preparing', 'running', 'completed', 'cancelled', 'expired'] }) state!: string;
}

export class ProblemCount {
  @ApiProperty({ enum: ['failed', 'skipped'] }) state!: string;
  @ApiProperty({ example: 'opted out' }) reason!: string;
  @ApiProperty() count!: number;
}

export class CampaignResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() state!: string;
  @ApiPropertyOptional({
    nullable: true,
    description: 'Why it is paused/failed/completed early: user, quota, credentials, expired…',
  })
  stateReason!: string | null;
  @ApiProperty({
    enum: USER_ACTIONS,
    isArray: true,
    description: 'Actions the current state allows (POST /api/campaigns/:id/<action>)',
  })
  allowedActions!: UserAction[];
  @ApiProperty() listId!: string;
  @ApiProperty() contactFilter!: ContactFilter;
  @ApiPropertyOptional({ nullable: true }) text!: string | null;
  @ApiPropertyOptional({ nullable: true }) templateId!: number | null;
  @ApiProperty() transport!: string;
  @ApiProperty() channelId!: number;
  @ApiPropertyOptional({ nullable: true, description: 'The next (or current) occurrence' })
  scheduledAt!: Date | null;
  @ApiProperty() timezone!: string;
  @ApiPropertyOptional({ nullable: true }) cron!: string | null;
  @ApiPropertyOptional({ nullable: true }) sendWindow!: SendWindow | null;
  @ApiPropertyOptional({ nullable: true }) expiresAfterMinutes!: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'Frequency cap in hours; null = off' })
  frequencyCapHours!: number | null;
  @ApiProperty() allowPartial!: boolean;
  @ApiPropertyOptional({ nullable: true, description: 'Forecast stored when it was scheduled or started' })
  forecast!: CampaignForecast | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
  @ApiPropertyOptional({ nullable: true }) startedAt!: Date | null;
  @ApiPropertyOptional({ nullable: true }) finishedAt!: Date | null;
  @ApiProperty({ type: RecipientCounts, description: 'Over all runs' }) counts!: RecipientCounts;
  @ApiPropertyOptional({ type: RunSummary, nullable: true, description: 'The latest run' })
  latestRun!: RunSummary | null;
  @ApiPropertyOptional({
    type: [ProblemCount],
    description: 'Failed and skipped recipients by reason (GET /api/campaigns/:id only)',
  })
  problems?: ProblemCount[];

  static of(campaign: Campaign, counts: RecipientCounts, latestRun: RunSummary | null): CampaignResponse {
    return Object.assign(new CampaignResponse(), {
      id: campaign.id,
      name: campaign.name,
      state: campaign.state,
      stateReason: campaign.stateReason,
      allowedActions: userActionsFrom(campaign.state, campaign.stateReason),
      listId: campaign.listId,
      contactFilter: campaign.contactFilter,
      text: campaign.text,
      templateId: campaign.templateId === null ? null : Number(campaign.templateId),
      transport: campaign.transport,
      channelId: Number(campaign.channelId),
      scheduledAt: campaign.scheduledAt,
      timezone: campaign.timezone,
      cron: campaign.cron,
      sendWindow: campaign.sendWindow,
      expiresAfterMinutes: campaign.expiresAfterMinutes,
      frequencyCapHours: campaign.frequencyCapHours,
      allowPartial: campaign.allowPartial,
      forecast: campaign.forecast,
      createdAt: campaign.createdAt,
      updatedAt: campaign.updatedAt,
      startedAt: campaign.startedAt,
      finishedAt: campaign.finishedAt,
      counts,
      latestRun,
    });
  }
}

export class CampaignPageResponse implements Page<CampaignResponse> {
  @ApiProperty({ type: [CampaignResponse] }) items!: CampaignResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class CampaignCreatedResponse {
  @ApiProperty() id!: string;
  @ApiProperty() state!: string;
}

export class PreviewItem {
  @ApiProperty() phone!: string;
  @ApiPropertyOptional({ nullable: true }) name!: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'The rendered message; null when skipped' }) text!:
    string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Why this contact would be skipped' }) skipReason!:
    string | null;
}

export class MissingVariablesReport {
  @ApiProperty({ description: 'Contacts that would be skipped for a missing variable' }) count!: number;
  @ApiProperty({ type: [PreviewItem], description: 'Up to 5 of them' }) examples!: PreviewItem[];
}

export class PreviewResponse {
  @ApiProperty({ type: [PreviewItem] }) items!: PreviewItem[];
  @ApiProperty({ type: MissingVariablesReport }) missingVariables!: MissingVariablesReport;
}

export class TestSendResponse {
  @ApiProperty() phone!: string;
  @ApiProperty() text!: string;
  @ApiProperty() clientId!: number;
  @ApiPropertyOptional({ nullable: true }) messageId!: number | null;
}

export class RetryFailedResponse {
  @ApiProperty({ type: CampaignResponse }) campaign!: CampaignResponse;
  @ApiProperty({ description: 'Recipients given another attempt' }) retried!: number;
  @ApiProperty({
    description: 'Failed recipients whose phone was opted out since: skipped ("opted out"), not retried',
  })
  skippedOptedOut!: number;
}
