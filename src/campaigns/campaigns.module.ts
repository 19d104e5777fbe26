import { Module } from '@nestjs/common';
import { DispatchModule } from '../dispatch/dispatch.module';
import { CampaignFinder } from './campaign-finder';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';
import { CampaignForecastService } from './forecast/campaign-forecast.service';
import { CampaignLifecycleService } from './lifecycle/campaign-lifecycle.service';
import { ConsistencyCheckJob } from './lifecycle/consistency-check.job';
import { StrandedRecipientsService } from './lifecycle/stranded-recipients.service';
import { RunPreparationService } from './runs/run-preparation.service';
import { CampaignScheduler } from './scheduling/campaign-scheduler';
import { TemplatesController } from './templates/templates.controller';
import { TemplatesService } from './templates/templates.service';
import { CampaignTestSender } from './test-send/campaign-test-sender';

const SERVICES = [
  CampaignFinder,
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
  imports: [DispatchModule],
  controllers: [CampaignsController, TemplatesController],
  providers: SERVICES,
  exports: SERVICES,
})
export class CampaignsModule {}
