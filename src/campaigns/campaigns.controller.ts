import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequestActor } from '../auth/request-actor';
import { Actor } from '../common/actor';
import { CampaignStore } from './campaign.store';
import { CampaignsService } from './campaigns.service';
import {
  CampaignCreatedResponse,
  CampaignPageResponse,
  CampaignResponse,
  PreviewResponse,
  RetryFailedResponse,
  TestSendResponse,
} from './dto/campaign-response';
import {
  CreateCampaignDto,
  ListCampaignsQuery,
  PreviewQuery,
  ScheduleCampaignDto,
  StartCampaignDto,
  TestSendDto,
  UpdateCampaignDto,
} from './dto/campaign.dto';
import { CampaignForecast } from './forecast/campaign-forecast';
import { CampaignForecastService } from './forecast/campaign-forecast.service';
import { CampaignLifecycleService } from './lifecycle/campaign-lifecycle.service';
import { CampaignTestSender } from './test-send/campaign-test-sender';
import { RequireRole } from '../auth/roles.decorator';

const CONFLICT = {
  status: 409,
  description: 'Not allowed from the current state (or the forecast exceeds the quota)',
};

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('api/campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly lifecycle: CampaignLifecycleService,
    private readonly forecasts: CampaignForecastService,
    private readonly testSender: CampaignTestSender,
    private readonly campaignStore: CampaignStore,
  ) {}

  @RequireRole('manager')
  @Post()
  @ApiResponse({ status: 201, type: CampaignCreatedResponse })
  @ApiResponse({ status: 400, description: 'Names the field and the fix' })
  async create(
    @Body() body: CreateCampaignDto,
    @RequestActor() actor: Actor,
  ): Promise<CampaignCreatedResponse> {
    const campaign = await this.campaigns.create(body, actor);
    return { id: campaign.id, state: campaign.state };
  }

  @RequireRole('viewer')
  @Get()
  @ApiResponse({ status: 200, type: CampaignPageResponse, description: 'Newest first' })
  list(@Query() query: ListCampaignsQuery): Promise<CampaignPageResponse> {
    return this.campaigns.list(query);
  }

  @RequireRole('viewer')
  @Get(':id')
  @ApiResponse({ status: 200, type: CampaignResponse })
  get(@Param('id') id: string): Promise<CampaignResponse> {
    return this.campaigns.get(id);
  }

  @RequireRole('manager')
  @Patch(':id')
  @ApiResponse({ status: 200, type: CampaignResponse })
  @ApiResponse({ status: 409, description: 'Only drafts can be edited' })
  async update(
    @Param('id') id: string,
    @Body() body: UpdateCampaignDto,
    @RequestActor() actor: Actor,
  ): Promise<CampaignResponse> {
    await this.campaigns.update(id, body, actor);
    return this.campaigns.get(id);
  }

  @RequireRole('manager')
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiResponse({ status: 409, description: 'Only drafts and finished campaigns can be deleted' })
  remove(@Param('id') id: string, @RequestActor() actor: Actor): Promise<void> {
    return this.campaigns.remove(id, actor);
  }

  @RequireRole('viewer')
  @Get(':id/preview')
  @ApiResponse({ status: 200, type: PreviewResponse })
  preview(@Param('id') id: string, @Query() query: PreviewQuery): Promise<PreviewResponse> {
    return this.campaigns.preview(id, query.limit);
  }

  @RequireRole('viewer')
  @Get(':id/forecast')
  @ApiResponse({ status: 200, description: 'Requests needed vs the quota left this month' })
  async forecast(@Param('id') id: string): Promise<CampaignForecast> {
    return this.forecasts.forecast(await this.campaignStore.get(id));
  }

  @RequireRole('manager')
  @Post(':id/test-send')
  @HttpCode(HttpStatus.OK)
  @ApiResponse({ status: 200, type: TestSendResponse })
  testSend(
    @Param('id') id: string,
    @Body() body: TestSendDto,
    @RequestActor() actor: Actor,
  ): Promise<TestSendResponse> {
    return this.testSender.send(id, body.phone, actor);
  }

  @RequireRole('manager')
  @Post(':id/schedule')
  @HttpCode(HttpStatus.OK)
  @ApiResponse({ status: 200, type: CampaignResponse })
  @ApiResponse(CONFLICT)
  async schedule(
    @Param('id') id: string,
    @Body() body: ScheduleCampaignDto,
    @RequestActor() actor: Actor,
  ): Promise<CampaignResponse> {
    await this.lifecycle.schedule(id, body, actor);
    return this.campaigns.get(id);
  }

  @RequireRole('manager')
  @Post(':id/start')
  @HttpCode(HttpStatus.OK)
  @ApiResponse({
    status: 200,
    type: CampaignResponse,
    description: 'scheduledAt = now; the scheduler starts it on its next tick',
  })
  @ApiResponse(CONFLICT)
  async start(
    @Param('id') id: string,
    @Body() body: StartCampaignDto,
    @RequestActor() actor: Actor,
  ): Promise<CampaignResponse> {
    await this.lifecycle.start(id, body, actor);
    return this.campaigns.get(id);
  }

  @RequireRole('manager')
  @Post(':id/pause')
  @HttpCode(HttpStatus.OK)
  @ApiResponse({ status: 200, type: CampaignResponse })
  @ApiResponse(CONFLICT)
  async pause(@Param('id') id: string, @RequestActor() actor: Actor): Promise<CampaignResponse> {
    await this.lifecycle.pause(id, actor);
    return this.campaigns.get(id);
  }

  @RequireRole('manager')
  @Post(':id/resume')
  @HttpCode(HttpStatus.OK)
  @ApiResponse({ status: 200, type: CampaignResponse })
  @ApiResponse(CONFLICT)
  async resume(@Param('id') id: string, @RequestActor() actor: Actor): Promise<CampaignResponse> {
    await this.lifecycle.resume(id, actor);
    return this.campaigns.get(id);
  }

  @RequireRole('manager')
  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiResponse({ status: 200, type: CampaignResponse })
  @ApiResponse(CONFLICT)
  async cancel(@Param('id') id: string, @RequestActor() actor: Actor): Promise<CampaignResponse> {
    await this.lifecycle.cancel(id, actor);
    return this.campaigns.get(id);
  }

  @RequireRole('manager')
  @Post(':id/retry-failed')
  @HttpCode(HttpStatus.OK)
  @ApiResponse({ status: 200, type: RetryFailedResponse })
  @ApiResponse(CONFLICT)
  async retryFailed(@Param('id') id: string, @RequestActor() actor: Actor): Promise<RetryFailedResponse> {
    const { retried, skippedOptedOut } = await this.lifecycle.retryFailed(id, actor);
    return { campaign: await this.campaigns.get(id), retried, skippedOptedOut };
  }
}
