import { Module } from '@nestjs/common';
import { Chat2DeskModule } from '../chat2desk/chat2desk.module';
import { DatabaseModule } from '../database/database.module';
import { RecipientsModule } from '../recipients/recipients.module';
import { CampaignRecipientsService } from './campaign-recipients.service';
import { CampaignReportService } from './campaign-report.service';
import { QuotaOverviewService } from './quota-overview.service';
import { QuotaOverviewStore } from './quota-overview.store';
import { QuotaController, ReportsController } from './reports.controller';

/** Campaign delivery reports, per-recipient rows and CSV export, and the account's quota overview. */
@Module({
  imports: [Chat2DeskModule, DatabaseModule, RecipientsModule],
  controllers: [ReportsController, QuotaController],
  providers: [CampaignReportService, CampaignRecipientsService, QuotaOverviewService, QuotaOverviewStore],
  exports: [CampaignReportService, CampaignRecipientsService, QuotaOverviewService],
})
export class ReportsModule {}
