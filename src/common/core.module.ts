import { DynamicModule, Global, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { Clock, SystemClock } from './clock/clock';
import { LogDestinationFd, loggingModule } from './logging/logging.module';
import { PeriodicTasks } from './scheduling/periodic-tasks';

export interface CoreOptions {
  clock?: Clock;
  /** 1 (stdout) for the HTTP app, 2 (stderr) for the CLI. */
  logDestinationFd?: LogDestinationFd;
}

/**
 * The one global module: what every module may inject — the validated configuration, the clock,
 * the logger and the periodic-task runner.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, options: CoreOptions = {}): DynamicModule {
    return {
      module: CoreModule,
      imports: [loggingModule(config, options.logDestinationFd ?? 1), ScheduleModule.forRoot()],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        PeriodicTasks,
      ],
      exports: [APP_CONFIG, Clock, PeriodicTasks],
    };
  }
}
