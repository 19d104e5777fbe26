import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { Chat2DeskModule } from '../chat2desk/chat2desk.module';
import { ContactsModule } from '../contacts/contacts.module';
import { RecipientsModule } from '../recipients/recipients.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * Prometheus metrics. It subscribes to what the other modules announce (Chat2Desk requests and
 * waits, import rows, stranded recipients); none of them imports it.
 */
@Module({
  imports: [Chat2DeskModule, RecipientsModule, ContactsModule, CampaignsModule],
  controllers: [MetricsController],
  providers: [MetricsService],
})
export class MetricsModule {}
