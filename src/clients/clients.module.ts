import { Module } from '@nestjs/common';
import { Chat2DeskModule } from '../chat2desk/chat2desk.module';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { DatabaseModule } from '../database/database.module';
import { ClientDirectoryStore } from './client-directory.store';
import { ClientReadiness } from './client-readiness';
import { ClientResolver } from './client-resolver';
import { TestMessageSender } from './test-message-sender';

/**
 * Phone → Chat2Desk client, in one place for campaign preparation and test sends: the directory of
 * known clients, the resolver that looks up or creates them, the one-off test message, and the rule for when a new client may
 * first be messaged.
 */
@Module({
  imports: [DatabaseModule, Chat2DeskModule],
  providers: [
    {
      provide: ClientReadiness,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ClientReadiness.fromConfig(config),
    },
    ClientDirectoryStore,
    ClientResolver,
    TestMessageSender,
  ],
  exports: [ClientReadiness, ClientDirectoryStore, ClientResolver, TestMessageSender],
})
export class ClientsModule {}
