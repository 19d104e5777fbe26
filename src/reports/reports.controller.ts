import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { CampaignRecipientsService } from './campaign-recipients.service';
import { CampaignReport, CampaignReportService } from './campaign-report.service';
import {
  CampaignReportResponse,
  QuotaOverviewResponse,
  QuotaQueryDto,
  RecipientPageResponse,
  RecipientsQueryDto,
} from './dto/report.dto';
import { QuotaOverview, QuotaOverviewService } from './quota-overview.service';
import { RequireRole } from '../auth/roles.decorator';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/campaigns')
export class ReportsController {
  constructor(
    private readonly reports: CampaignReportService,
    private readonly recipients: CampaignRecipientsService,
  ) {}

  @RequireRole('viewer')
  @Get(':id/report')
  @ApiOperation({
    summary: 'Delivery report: counts, rates, failure reasons, per-minute timeline, API requests',
  })
  @ApiResponse({ status: 200, type: CampaignReportResponse })
  @ApiResponse({ status: 404, description: 'No such campaign' })
  report(@Param('id') id: string): Promise<CampaignReport> {
    return this.reports.report(id);
  }

  @RequireRole('viewer')
  @Get(':id/recipients')
  @ApiOperation({ summary: 'Recipients of a campaign, in a stable order, filtered by state and reason' })
  @ApiResponse({ status: 200, type: RecipientPageResponse })
  recipientsPage(
    @Param('id') id: string,
    @Query() query: RecipientsQueryDto,
  ): Promise<RecipientPageResponse> {
    return this.recipients.page(id, query);
  }

  @RequireRole('manager')
  @Get(':id/recipients.csv')
  @ApiOperation({ summary: 'Every recipient as CSV (UTF-8 with BOM; formula-like values neutralized)' })
  @ApiProduces('text/csv')
  @ApiResponse({
    status: 200,
    description: 'phone,name,state,raw_status,reason,sent_at,delivered_at,read_at,failed_at',
  })
  async exportCsv(@Param('id') id: string, @Res() response: Response): Promise<void> {
    const csv = await this.recipients.exportCsv(id);
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="campaign-${id}-recipients.csv"`);
    // pipeline: backpressure from the socket, and a client that goes away stops the database reads.
    await pipeline(csv, response).catch(() => response.destroy());
  }
}

@ApiTags('quota')
@ApiBearerAuth()
@Controller('api/quota')
export class QuotaController {
  constructor(private readonly quota: QuotaOverviewService) {}

  @RequireRole('viewer')
  @Get()
  @ApiOperation({
    summary: 'API mode, limit, usage this month (service vs local), campaign reservations, rate limit',
  })
  @ApiResponse({ status: 200, type: QuotaOverviewResponse })
  overview(@Query() query: QuotaQueryDto): Promise<QuotaOverview> {
    return this.quota.overview(query.refresh === 'true');
  }
}
