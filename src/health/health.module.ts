import { Module } from '@nestjs/common';
import { Chat2DeskModule } from '../chat2desk/chat2desk.module';
import { DatabaseModule } from '../database/database.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { HealthStore } from './health.store';

@Module({
  imports: [Chat2DeskModule, DatabaseModule],
  controllers: [HealthController],
  providers: [HealthService, HealthStore],
})
export class HealthModule {}
