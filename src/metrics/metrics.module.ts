import { Module } from '@nestjs/common';
import { Chat2DeskModule } from '../chat2desk/chat2desk.module';
import { RecipientsModule } from '../recipients/recipients.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** Prometheus metrics; modules that feed counters (imports, the consistency check) import this module. */
@Module({
  imports: [Chat2DeskModule, RecipientsModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
