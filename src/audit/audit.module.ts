import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuditStore } from './audit.store';

/** The audit log; modules that record what their users did import this module. */
@Module({
  imports: [DatabaseModule],
  controllers: [AuditController],
  providers: [AuditService, AuditStore],
  exports: [AuditService],
})
export class AuditModule {}
