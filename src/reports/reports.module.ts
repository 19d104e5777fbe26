import { Module } from '@nestjs/common';
import { CampaignRecipientsService } from './campaign-recipients.service';
import { CampaignReportService } from './campaign-report.service';
import { QuotaOverviewService } from './quota-overview.service';
import { QuotaController, ReportsController } from './reports.controller';

/** Campaign delivery reports, per-recipient rows and CSV export, and the account's quota overview. */
@Module({
  controllers: [ReportsController, QuotaController],
  providers: [CampaignReportService, CampaignRecipientsService, QuotaOverviewService],
  exports: [CampaignReportService, CampaignRecipientsService, QuotaOverviewService],
})
export class ReportsModule {}
