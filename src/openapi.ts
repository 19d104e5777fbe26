import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { CredentialsService } from './auth/credentials.service';
import { SESSION_COOKIE } from './auth/session-token';

export const OPENAPI_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/docs-json';
export const OPENAPI_YAML_PATH = 'api/docs-yaml';

const TAGS: Array<[string, string]> = [
  ['lists', 'Contact lists and contacts'],
  ['imports', 'CSV imports into lists'],
  ['campaigns', 'Campaigns, their lifecycle and forecasts'],
  ['reports', 'Delivery reports and exports'],
  ['quota', 'Chat2Desk account quota'],
  ['webhooks', 'Inbound Chat2Desk events'],
  ['audit', 'Who did what, when'],
  ['auth', 'Dashboard sign-in'],
  ['operations', 'Health and metrics'],
];

/**
 * Swagger UI at /api/docs and the document at /api/docs-json. Swagger serves them straight from
 * Express, past Nest's guards, so the same credentials are checked here by a middleware.
 */
export function setUpOpenApi(app: INestApplication): void {
  const builder = new DocumentBuilder()
    .setTitle('chat2desk-campaigns')
    .setDescription('Bulk campaigns over Chat2Desk: contact lists, imports, campaigns, delivery reports.')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API_KEY' })
    .addCookieAuth(SESSION_COOKIE);
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const credentials = app.get(CredentialsService);
  app.use(`/${OPENAPI_PATH}`, requireCredentials(credentials));
  app.use(`/${OPENAPI_JSON_PATH}`, requireCredentials(credentials));
  app.use(`/${OPENAPI_YAML_PATH}`, requireCredentials(credentials));
  const document = SwaggerModule.createDocument(app, builder.build());
  SwaggerModule.setup(OPENAPI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    yamlDocumentUrl: OPENAPI_YAML_PATH,
  });
}

function requireCredentials(credentials: CredentialsService) {
  return (request: Request, response: Response, next: NextFunction): void => {
    credentials.authenticate(request).then(
      (actor) => (actor ? next() : refuse(response)),
      (error: unknown) => next(error),
    );
  };
}

function refuse(response: Response): void {
  response.status(401).json({
    statusCode: 401,
    error: 'unauthorized',
    message: 'Send "Authorization: Bearer <API_KEY>" or sign in to the dashboard',
  });
}
