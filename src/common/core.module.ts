import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { Clock, SystemClock } from './clock/clock';
import { loggingModule } from './logging/logging.module';
import { PeriodicTasks } from './scheduling/periodic-tasks';

/** Provides what every module may inject: the validated configuration, the clock,
 * the logger and the periodic-task runner. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: CoreModule,
      imports: [loggingModule(config)],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
        PeriodicTasks,
      ],
      exports: [APP_CONFIG, Clock, PeriodicTasks],
    };
  }
}
