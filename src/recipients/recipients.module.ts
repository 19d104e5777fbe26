import { Module } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { Database } from '../database/database';
import { DatabaseModule } from '../database/database.module';
import { PreparationQueue } from './preparation-queue';
import { RecipientOptOutsStore } from './recipient-opt-outs.store';
import { RecipientQueue } from './recipient-queue';

/**
 * The owner of `campaign_recipients`, `campaign_runs` and `recipient_status_events`: every statement
 * on those tables lives in a store here, and other modules call the stores' named methods.
 */
@Module({
  imports: [DatabaseModule],
  providers: [
    {
      provide: RecipientQueue,
      inject: [Database],
      useFactory: (database: Database) =>
        new RecipientQueue(database.sql, (work) => database.transaction(work)),
    },
    {
      provide: PreparationQueue,
      inject: [Database, APP_CONFIG],
      useFactory: (database: Database, config: AppConfig) =>
        new PreparationQueue(
          database.sql,
          config.whatsappNewClientDelaySeconds + config.whatsappSafetyMarginSeconds,
        ),
    },
    RecipientOptOutsStore,
  ],
  exports: [RecipientQueue, PreparationQueue, RecipientOptOutsStore],
})
export class RecipientsModule {}
