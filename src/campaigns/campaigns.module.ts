import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { Chat2DeskModule } from '../chat2desk/chat2desk.module';
import { ClientsModule } from '../clients/clients.module';
import { ContactsModule } from '../contacts/contacts.module';
import { DatabaseModule } from '../database/database.module';
import { RecipientsModule } from '../recipients/recipients.module';
import { CampaignStore } from './campaign.store';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';
import { CampaignForecastService } from './forecast/campaign-forecast.service';
import { CampaignLifecycleService } from './lifecycle/campaign-lifecycle.service';
import { ConsistencyCheckJob } from './lifecycle/consistency-check.job';
import { StrandedRecipientsService } from './lifecycle/stranded-recipients.service';
import { RecipientSourceStore } from './runs/recipient-source.store';
import { RunPreparationService } from './runs/run-preparation.service';
import { CampaignScheduler } from './scheduling/campaign-scheduler';
import { TemplateStore } from './templates/template.store';
import { TemplatesController } from './templates/templates.controller';
import { TemplatesService } from './templates/templates.service';
import { CampaignTestSender } from './test-send/campaign-test-sender';

const SERVICES = [
  CampaignStore,
  TemplateStore,
  RecipientSourceStore,
  CampaignsService,
  CampaignLifecycleService,
  CampaignForecastService,
  CampaignScheduler,
  RunPreparationService,
  TemplatesService,
  CampaignTestSender,
  StrandedRecipientsService,
  ConsistencyCheckJob,
];

/** Campaign definitions, templates, lifecycle and the scheduler that turns schedules into runs. */
@Module({
  imports: [ContactsModule, DatabaseModule, RecipientsModule, AuditModule, Chat2DeskModule, ClientsModule],
  controllers: [CampaignsController, TemplatesController],
  providers: SERVICES,
  exports: SERVICES,
})
export class CampaignsModule {}
