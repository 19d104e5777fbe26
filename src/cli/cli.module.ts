import { DynamicModule, Module } from '@nestjs/common';
import { AppModule, DOMAIN_MODULES } from '../app.module';
import { CoreModule } from '../common/core.module';
import { AppConfig } from '../config/app-config';
import { APP_COMMANDS, STANDALONE_COMMANDS } from './cli-commands';

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
        // pino's JSON lines go to stderr, so stdout carries only a command's result.
        ...(boot === 'app'
          ? [AppModule.forRoot(config, { logDestinationFd: 2 }), ...DOMAIN_MODULES]
          : [CoreModule.forRoot(config, { logDestinationFd: 2 })]),
      ],
      providers: boot === 'app' ? [...STANDALONE_COMMANDS, ...APP_COMMANDS] : STANDALONE_COMMANDS,
    };
  }
}
