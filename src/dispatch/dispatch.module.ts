import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import { sqlFrom } from '../chat2desk/sql';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { CampaignStops } from './campaign-stops';
import { ClientResolver } from './client-resolver';
import { DispatchService } from './dispatch.service';
import { WORKER_IDENTITY } from './dispatch.tokens';
import { DispatchWorker } from './dispatch-worker.service';
import { Dispatcher } from './dispatcher.service';
import { MessageReconciler } from './message-reconciler';
import { PreparationQueue } from './preparation-queue';
import { Preparer } from './preparer.service';
import { RecipientQueue } from './recipient-queue';
import { newWorkerIdentity } from './worker-identity';

/**
 * Preparation (phones → Chat2Desk clients) and dispatch (claim → send → record, reconciliation of
 * ambiguous and abandoned attempts). Chat2DeskModule is global; the campaign lifecycle is resolved lazily.
 */
@Module({
  providers: [
    { provide: WORKER_IDENTITY, useFactory: newWorkerIdentity },
    {
      provide: RecipientQueue,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) =>
        new RecipientQueue(sqlFrom(dataSource), (work) =>
          dataSource.transaction((manager) => work(sqlFrom(manager))),
        ),
    },
    {
      provide: PreparationQueue,
      inject: [DataSource, APP_CONFIG],
      useFactory: (dataSource: DataSource, config: AppConfig) =>
        new PreparationQueue(
          sqlFrom(dataSource),
          config.whatsappNewClientDelaySeconds + config.whatsappSafetyMarginSeconds,
        ),
    },
    ClientResolver,
    {
      provide: MessageReconciler,
      inject: [Chat2DeskClient, RecipientQueue],
      useFactory: (client: Chat2DeskClient, queue: RecipientQueue) => new MessageReconciler(client, queue),
    },
    CampaignStops,
    Dispatcher,
    Preparer,
    DispatchWorker,
    DispatchService,
  ],
  exports: [DispatchService, DispatchWorker, Dispatcher, Preparer],
})
export class DispatchModule {}
