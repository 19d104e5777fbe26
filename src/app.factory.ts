import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule, AppModuleOptions } from './app.module';
import { DomainExceptionFilter } from './common/errors/domain-exception.filter';
import { setUpOpenApi } from './openapi';
import { AppConfig } from './config/app-config';

/** Builds the HTTP application exactly as production runs it; tests use it too. */
export async function createApp(
  config: AppConfig,
  options: AppModuleOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config, options), {
    bufferLogs: true,
    // The Chat2Desk webhook's HMAC is computed over the exact bytes received (request.rawBody).
    rawBody: true,
    logger: config.logLevel === 'silent' ? false : undefined,
  });
  configureApp(app);
  return app;
}

export function configureApp(app: INestApplication): void {
  // Nest's own lines (routes mapped, errors) go through pino too: JSON, redacted, with request ids.
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new DomainExceptionFilter());
  // Default class-validator messages name the field ("name must be a string", "property foo should not exist").
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  setUpOpenApi(app);
}
