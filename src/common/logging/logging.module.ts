import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule } from '@nestjs/common';
import { LoggerModule, Params } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from '../../config/app-config';

/**
 * Where JSON log lines go: the HTTP app logs to stdout (1); the CLI to stderr (2), so its `--json`
 * output on stdout stays parseable.
 */
export type LogDestinationFd = 1 | 2;

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Paths pino replaces with "[Redacted]": the API key (Authorization), the dashboard session
 * (Cookie / Set-Cookie) and any field named like a secret one or two levels deep, so neither the
 * API key nor the Chat2Desk token can reach a log line by accident.
 */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...['token', 'apiKey', 'api_key', 'authorization', 'password', 'secret'].flatMap((field) => [
    field,
    `*.${field}`,
    `*.*.${field}`,
  ]),
];

/** Accepts a caller's request id when it looks like one; otherwise mints a UUID. */
export function requestIdFor(request: IncomingMessage, response: ServerResponse): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
  response.setHeader('X-Request-Id', id);
  return id;
}

export function buildLoggerParams(config: AppConfig, destinationFd: LogDestinationFd = 1): Params {
  return {
    pinoHttp: [
      {
        level: config.logLevel,
        redact: { paths: REDACTED_LOG_PATHS },
        genReqId: requestIdFor,
        // Health probes and scrapes every few seconds would drown the useful lines.
        autoLogging: { ignore: (request) => /^\/(health|metrics)\b/.test(request.url ?? '') },
        serializers: {
          req: (request: { id: unknown; method: string; url: string }) => ({
            id: request.id,
            method: request.method,
            url: request.url,
          }),
          res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
        },
      },
      pino.destination({ fd: destinationFd, sync: destinationFd === 2 }),
    ],
  };
}

/**
 * nestjs-pino for the whole app: JSON lines, level from LOG_LEVEL (silent prints nothing),
 * redaction, a request id on every line logged while serving a request. Services log structured
 * fields with PinoLogger: `this.logger.info({ campaignId, recipientId }, 'sent')`.
 */
export function loggingModule(config: AppConfig, destinationFd: LogDestinationFd): DynamicModule {
  return LoggerModule.forRoot(buildLoggerParams(config, destinationFd));
}
