import { Module } from '@nestjs/common';
import { Database } from '../database/database';
import { DatabaseModule } from '../database/database.module';
import { CampaignRecipientsStore } from './campaign-recipients.store';
import { PreparationQueue } from './preparation-queue';
import { RecipientOptOutsStore } from './recipient-opt-outs.store';
import { RecipientQueue } from './recipient-queue';
import { RecipientReportsStore } from './recipient-reports.store';
import { RecipientStatusStore } from './recipient-status.store';
import { RunStore } from './run.store';

/**
 * The owner of `campaign_recipients`, `campaign_runs` and `recipient_status_events`: every statement
 * on those tables lives in a store here, and other modules call the stores' named methods.
 */
@Module({
  imports: [DatabaseModule],
  providers: [
    CampaignRecipientsStore,
    RunStore,
    {
      provide: RecipientQueue,
      inject: [Database],
      useFactory: (database: Database) =>
        new RecipientQueue(database.sql, (work) => database.transaction(work)),
    },
    {
      provide: PreparationQueue,
      inject: [Database],
      useFactory: (database: Database) => new PreparationQueue(database.sql),
    },
    RecipientStatusStore,
    RecipientReportsStore,
    RecipientOptOutsStore,
  ],
  exports: [
    RecipientQueue,
    PreparationQueue,
    RecipientStatusStore,
    RecipientReportsStore,
    CampaignRecipientsStore,
    RunStore,
    RecipientOptOutsStore,
  ],
})
export class RecipientsModule {}
