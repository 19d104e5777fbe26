import { INestApplication, Logger as NestLogger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { AppModule, AppModuleOptions } from './app.module';
import { DomainExceptionFilter } from './common/errors/domain-exception.filter';
import { useRequestPipeline } from './common/http/request-pipeline';
import { securityHeaders } from './common/http/security-headers';
import { setUpOpenApi } from './openapi';
import { AppConfig } from './config/app-config';
import { WEBHOOK_OFF_WARNING } from './delivery/webhook/webhook-secret';

/** Builds the HTTP application exactly as production runs it; tests use it too. */
export async function createApp(
  config: AppConfig,
  options: AppModuleOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bufferLogs: true,
    // Ours instead (useRequestPipeline): size and depth limits, NUL check, request.rawBody for the webhook's HMAC.
    bodyParser: false,
    logger: config.logLevel === 'silent' ? false : undefined,
  });
  // Behind a proxy: the client's address (sign-in limits, logs) and `Secure` cookies come from its headers.
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders());
  if (config.instanceRole === 'worker') app.use(workerRoutesOnly);
  useRequestPipeline(app);
  configureApp(app);
  // Workers do not serve the webhook; every instance that does says so when it is off.
  if (!config.webhookSecret && config.instanceRole !== 'worker')
    new NestLogger('Webhook').warn(WEBHOOK_OFF_WARNING);
  return app;
}

/** A worker instance runs the loops; over HTTP it answers only probes and scrapes. */
function workerRoutesOnly(request: Request, response: Response, next: NextFunction): void {
  if (WORKER_PATHS.some((path) => request.path === path || request.path.startsWith(`${path}/`)))
    return next();
  response.status(404).json({
    statusCode: 404,
    error: 'not_served_here',
    message:
      'This instance runs background work only (INSTANCE_ROLE=worker): it serves /health and /metrics. Send API and dashboard requests to an api or all instance.',
  });
}

const WORKER_PATHS = ['/health', '/metrics'];

function configureApp(app: INestApplication): void {
  // Nest's own lines (routes mapped, errors) go through pino too: JSON, redacted, with request ids.
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new DomainExceptionFilter());
  // Default class-validator messages name the field ("name must be a string", "property foo should not exist").
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  setUpOpenApi(app);
}
