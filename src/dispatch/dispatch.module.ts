import { DynamicModule, Module, ModuleMetadata, Type } from '@nestjs/common';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import { Chat2DeskModule } from '../chat2desk/chat2desk.module';
import { ClientsModule } from '../clients/clients.module';
import { RecipientQueue } from '../recipients/recipient-queue';
import { RecipientsModule } from '../recipients/recipients.module';
import { CAMPAIGN_CONTROL, CampaignControl } from './campaign-control.port';
import { CampaignStops } from './campaign-stops';
import { WORKER_IDENTITY } from './dispatch.tokens';
import { DispatchWorker } from './dispatch-worker';
import { Dispatcher } from './dispatcher';
import { MessageReconciler } from './message-reconciler';
import { Preparer } from './preparer';
import { newWorkerIdentity } from './worker-identity';

export interface DispatchModuleOptions {
  /** The module exporting the CampaignControl implementation. */
  imports: NonNullable<ModuleMetadata['imports']>;
  campaignControl: Type<CampaignControl>;
}

/**
 * Preparation (phones → Chat2Desk clients) and dispatch (claim → send → record, reconciliation of
 * ambiguous and abandoned attempts). It asks campaigns to pause or fail through the CampaignControl
 * port, which the composition root plugs in.
 */
@Module({})
export class DispatchModule {
  static forRoot(options: DispatchModuleOptions): DynamicModule {
    return {
      module: DispatchModule,
      imports: [RecipientsModule, ClientsModule, Chat2DeskModule, ...options.imports],
      providers: [
        { provide: CAMPAIGN_CONTROL, useExisting: options.campaignControl },
        { provide: WORKER_IDENTITY, useFactory: newWorkerIdentity },
        {
          provide: MessageReconciler,
          inject: [Chat2DeskClient, RecipientQueue],
          useFactory: (client: Chat2DeskClient, queue: RecipientQueue) =>
            new MessageReconciler(client, queue),
        },
        CampaignStops,
        Dispatcher,
        Preparer,
        DispatchWorker,
      ],
      exports: [DispatchWorker, Dispatcher, Preparer],
    };
  }
}
