import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule, AppModuleOptions } from './app.module';
import { DomainExceptionFilter } from './common/errors/domain-exception.filter';
import { AppConfig } from './config/app-config';

/** Builds the HTTP application exactly as production runs it; tests use it too. */
export async function createApp(config: AppConfig, options: AppModuleOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config, options), {
    bufferLogs: true,
    logger: config.logLevel === 'silent' ? false : undefined,
  });
  configureApp(app);
  return app;
}

export function configureApp(app: INestApplication): void {
  app.useGlobalFilters(new DomainExceptionFilter());
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
}
