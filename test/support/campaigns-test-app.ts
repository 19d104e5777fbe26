import { INestApplication, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { startTestBackends } from './test-backends';
import { AuditModule } from '../../src/audit/audit.module';
import { Chat2DeskModule } from '../../src/chat2desk/chat2desk.module';
import { ManualClock } from '../../src/common/clock/clock';
import { CoreModule } from '../../src/common/core.module';
import { DomainExceptionFilter } from '../../src/common/errors/domain-exception.filter';
import { useRequestPipeline } from '../../src/common/http/request-pipeline';
import { AppConfig } from '../../src/config/app-config';
import { buildTypeOrmOptions } from '../../src/database/typeorm-options';
import { RunningSandbox, SandboxOptions } from '../../src/sandbox/sandbox-server';
import { CampaignsModule } from '../../src/campaigns/campaigns.module';

export interface CampaignsTestApp {
  app: INestApplication;
  /** Base URL of the listening app (no auth guard: the campaigns module alone). */
  url: string;
  dataSource: DataSource;
  clock: ManualClock;
  config: AppConfig;
  sandbox: RunningSandbox;
  get<T>(type: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

export interface CampaignsTestAppOptions {
  env?: Record<string, string>;
  sandbox?: SandboxOptions;
  /** Start time of the manual clock (the sandbox follows it). */
  now?: Date;
}

/**
 * The campaigns module with what it needs (config, clock, TypeORM, audit, Chat2Desk client) on a
 * fresh database, over HTTP, against a real sandbox that shares the manual clock. Crons are off.
 * Lighter than test/utils/test-app.ts: it does not depend on every other module booting.
 */
export async function createCampaignsTestApp(
  options: CampaignsTestAppOptions = {},
): Promise<CampaignsTestApp> {
  const clock = new ManualClock(options.now ?? new Date('2026-11-25T09:00:00Z'));
  const backends = await startTestBackends(options.env, { now: () => clock.nowMs(), ...options.sandbox });
  const { config, database, sandbox } = backends;
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot(config, { clock }),
        TypeOrmModule.forRoot(buildTypeOrmOptions(database.url)),
        AuditModule,
        Chat2DeskModule,
        CampaignsModule,
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false, bodyParser: false });
    // As app.factory's request pipeline and configureApp, minus OpenAPI (it needs the auth module).
    useRequestPipeline(app);
    app.useGlobalFilters(new DomainExceptionFilter());
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    return {
      app,
      url: `http://127.0.0.1:${port}`,
      dataSource: app.get(DataSource),
      clock,
      config,
      sandbox,
      get: (type) => app.get(type),
      close: async () => {
        await app.close();
        await backends.close();
      },
    };
  } catch (error) {
    await backends.close();
    throw error;
  }
}
