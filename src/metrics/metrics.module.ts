import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { Chat2DeskModule } from '../chat2desk/chat2desk.module';
import { ContactsModule } from '../contacts/contacts.module';
import { DatabaseModule } from '../database/database.module';
import { RecipientsModule } from '../recipients/recipients.module';
import { MetricSnapshotJob } from './metric-snapshot.job';
import { MetricSnapshotStore } from './metric-snapshot.store';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * Prometheus metrics. It subscribes to what the other modules announce (Chat2Desk requests and
 * waits, import rows, stranded recipients); none of them imports it. The database-wide gauges come
 * from `metric_snapshots`, kept by MetricSnapshotJob on instances that run the loops.
 */
@Module({
  imports: [DatabaseModule, Chat2DeskModule, RecipientsModule, ContactsModule, CampaignsModule],
  controllers: [MetricsController],
  providers: [MetricsService, MetricSnapshotStore, MetricSnapshotJob],
})
export class MetricsModule {}
