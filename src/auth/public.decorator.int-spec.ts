import { Controller, Get, INestApplication, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import { createTestDatabase, TestDatabase } from '../../test/support/test-database';
import { CoreModule } from '../common/core.module';
import { loadAppConfig } from '../config/app-config';
import { buildTypeOrmOptions } from '../database/typeorm-options';
import { AuthModule } from './auth.module';
import { Public } from './public.decorator';

// Stand-ins with the paths and decorators the health and webhook modules use.
@Controller('health')
@Public()
class HealthProbeController {
  @Get()
  check(): { status: string } {
    return { status: 'ok' };
  }
}

@Controller('api/webhooks')
class WebhookProbeController {
  @Public()
  @Post('chat2desk')
  receive(): { received: boolean } {
    return { received: true };
  }

  @Get()
  list(): string[] {
    return [];
  }
}

describe('AuthGuard with @Public()', () => {
  let app: INestApplication;
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadAppConfig({ LOG_LEVEL: 'silent', API_KEY: 'probe-key', DATABASE_URL: database.url });
    const moduleRef = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot(config),
        TypeOrmModule.forRoot(buildTypeOrmOptions(database.url)),
        AuthModule,
      ],
      controllers: [HealthProbeController, WebhookProbeController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('lets a @Public() controller and a @Public() route through without credentials', async () => {
    await request(app.getHttpServer()).get('/health').expect(200, { status: 'ok' });
    await request(app.getHttpServer()).post('/api/webhooks/chat2desk').expect(201, { received: true });
  });

  it('still guards the other routes of a controller with one public route', async () => {
    await request(app.getHttpServer()).get('/api/webhooks').expect(401);
    await request(app.getHttpServer())
      .get('/api/webhooks')
      .set('Authorization', 'Bearer probe-key')
      .expect(200);
  });
});
