import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppModule, DOMAIN_MODULES } from '../app.module';
import { CoreModule } from '../common/core.module';
import { LOG_DESTINATION_FD } from '../common/logging/logging.module';
import { AppConfig } from '../config/app-config';
import { APP_COMMANDS, STANDALONE_COMMANDS } from './cli-commands';

/** Sends pino's JSON lines to stderr, so stdout carries only a command's result. */
@Global()
@Module({ providers: [{ provide: LOG_DESTINATION_FD, useValue: 2 }], exports: [LOG_DESTINATION_FD] })
class CliLoggingModule {}

export type CliBoot = 'standalone' | 'app';

@Module({})
export class CliModule {
  /**
   * `app`: the same AppModule the HTTP server runs (config must say SCHEDULER_ENABLED=false), plus
   * every command. `standalone`: only the configuration and the commands that need nothing more.
   */
  static forRoot(config: AppConfig, boot: CliBoot): DynamicModule {
    return {
      module: CliModule,
      // The domain modules again (Nest shares the instances) so commands can inject their exports.
      imports: [
        CliLoggingModule,
        ...(boot === 'app' ? [AppModule.forRoot(config), ...DOMAIN_MODULES] : [CoreModule.forRoot(config)]),
      ],
      providers: boot === 'app' ? [...STANDALONE_COMMANDS, ...APP_COMMANDS] : STANDALONE_COMMANDS,
    };
  }
}
