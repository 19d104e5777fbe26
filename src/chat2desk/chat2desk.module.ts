import { ChannelDirectory } from './channel-directory';
import { Inject, Injectable, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { ChannelsController } from './channels.controller';
import { Chat2DeskClient } from './chat2desk.client';
import { Chat2DeskStack, createChat2DeskStack } from './chat2desk.stack';
import { Chat2DeskStatus } from './chat2desk-status';
import { QuotaService } from './quota.service';
import { RequestGate } from './request-gate';
import { RequestLedger } from './request-ledger';

const CHAT2DESK_STACK = Symbol('CHAT2DESK_STACK');

/** Boot check (one api_info, not awaited: boot never waits on Chat2Desk) and orderly close. */
@Injectable()
class Chat2DeskLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(@Inject(CHAT2DESK_STACK) private readonly stack: Chat2DeskStack) {}

  onApplicationBootstrap(): void {
    void this.stack.status.check();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stack.close();
  }
}

/** The Chat2Desk client and what guards it (quota, shared rate limit, ledger, status), for every module. */
@Module({
  controllers: [ChannelsController],
  providers: [
    {
      provide: CHAT2DESK_STACK,
      inject: [APP_CONFIG, DataSource, Clock],
      useFactory: (config: AppConfig, dataSource: DataSource, clock: Clock) =>
        createChat2DeskStack({ config: config.chat2desk, dataSource, clock }),
    },
    {
      provide: Chat2DeskClient,
      inject: [CHAT2DESK_STACK],
      useFactory: (stack: Chat2DeskStack) => stack.client,
    },
    { provide: QuotaService, inject: [CHAT2DESK_STACK], useFactory: (stack: Chat2DeskStack) => stack.quota },
    {
      provide: RequestLedger,
      inject: [CHAT2DESK_STACK],
      useFactory: (stack: Chat2DeskStack) => stack.ledger,
    },
    // Observers (metrics) subscribe to every request's outcome and rate-limit wait here.
    { provide: RequestGate, inject: [CHAT2DESK_STACK], useFactory: (stack: Chat2DeskStack) => stack.gate },
    {
      provide: Chat2DeskStatus,
      inject: [CHAT2DESK_STACK],
      useFactory: (stack: Chat2DeskStack) => stack.status,
    },
    Chat2DeskLifecycle,
    ChannelDirectory,
  ],
  exports: [Chat2DeskClient, QuotaService, RequestLedger, RequestGate, Chat2DeskStatus, ChannelDirectory],
})
export class Chat2DeskModule {}
