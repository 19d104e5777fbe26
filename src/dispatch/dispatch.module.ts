import { Module } from '@nestjs/common';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import { Chat2DeskModule } from '../chat2desk/chat2desk.module';
import { ClientsModule } from '../clients/clients.module';
import { CampaignStops } from './campaign-stops';
import { DispatchService } from './dispatch.service';
import { WORKER_IDENTITY } from './dispatch.tokens';
import { DispatchWorker } from './dispatch-worker';
import { Dispatcher } from './dispatcher';
import { MessageReconciler } from './message-reconciler';
import { Preparer } from './preparer';
import { RecipientQueue } from '../recipients/recipient-queue';
import { RecipientsModule } from '../recipients/recipients.module';
import { newWorkerIdentity } from './worker-identity';

/**
 * Preparation (phones → Chat2Desk clients) and dispatch (claim → send → record, reconciliation of
 * ambiguous and abandoned attempts). Chat2DeskModule is global; the campaign lifecycle is resolved lazily.
 */
@Module({
  imports: [RecipientsModule, ClientsModule, Chat2DeskModule],
  providers: [
    { provide: WORKER_IDENTITY, useFactory: newWorkerIdentity },
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
