import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CampaignLifecycleService } from './campaigns/lifecycle/campaign-lifecycle.service';
import { CampaignsModule } from './campaigns/campaigns.module';
import { Chat2DeskModule } from './chat2desk/chat2desk.module';
import { CoreModule, CoreOptions } from './common/core.module';
import { AppConfig } from './config/app-config';
import { ContactsModule } from './contacts/contacts.module';
import { buildTypeOrmOptions } from './database/typeorm-options';
import { DeliveryModule } from './delivery/delivery.module';
import { DispatchModule } from './dispatch/dispatch.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { ReportsModule } from './reports/reports.module';
import { WebModule } from './web/web.module';

/** Domain modules of the service; the HTTP app and the CLI both start from here. */
export const DOMAIN_MODULES = [
  Chat2DeskModule,
  ContactsModule,
  CampaignsModule,
  DispatchModule.forRoot({ imports: [CampaignsModule], campaignControl: CampaignLifecycleService }),
  DeliveryModule,
  ReportsModule,
  AuditModule,
  MetricsModule,
  HealthModule,
  AuthModule,
  WebModule,
];

export type AppModuleOptions = CoreOptions;

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    if (!config.databaseUrl) throw new Error('AppModule needs a resolved databaseUrl');
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, options),
        TypeOrmModule.forRoot(buildTypeOrmOptions(config.databaseUrl, { poolSize: config.databasePoolSize })),
        ...DOMAIN_MODULES,
      ],
    };
  }
}
