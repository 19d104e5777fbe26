import { Module } from '@nestjs/common';
import { Chat2DeskModule } from '../chat2desk/chat2desk.module';
import { ContactsModule } from '../contacts/contacts.module';
import { RecipientsModule } from '../recipients/recipients.module';
import { StatusRecorder } from './status-recorder';
import { StatusTracker } from './status-tracker';
import { TrackingScheduler } from './tracking-scheduler';
import { Chat2DeskWebhookService } from './webhook/chat2desk-webhook.service';
import { WebhookRegistrationService } from './webhook/webhook-registration.service';
import { WebhooksController } from './webhook/webhooks.controller';

/** Delivery status tracking (batched polling + webhook) and opt-outs by stop word. */
@Module({
  imports: [Chat2DeskModule, ContactsModule, RecipientsModule],
  controllers: [WebhooksController],
  providers: [
    StatusRecorder,
    StatusTracker,
    TrackingScheduler,
    Chat2DeskWebhookService,
    WebhookRegistrationService,
  ],
  exports: [StatusTracker, StatusRecorder, Chat2DeskWebhookService, WebhookRegistrationService],
})
export class DeliveryModule {}
