import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { DomainError, InvalidInputError } from '../errors/domain-error';

/** Largest JSON (or form) body: every body the API takes is a few kB; CSV uploads are multipart. */
export const BODY_LIMIT_BYTES = 100 * 1024;

/** Deepest nesting of objects and arrays in a JSON body: the API's bodies are 2–3 levels deep. */
export const MAX_JSON_DEPTH = 32;

export class BodyTooLargeError extends DomainError {
  constructor(limitBytes: number) {
    super(
      'too_large',
      'body_too_large',
      `body: larger than the ${Math.round(limitBytes / 1024)} kB a request body may have; send less (CSV files go to POST /api/lists/:id/imports)`,
      { field: 'body', limitBytes },
    );
  }
}

/**
 * The app's body parsers, in place of Nest's (the app is created with `bodyParser: false`): the
 * same JSON and urlencoded parsers with the same limit, keeping `request.rawBody` for the webhook's
 * signature, plus a nesting check on the raw bytes before JSON.parse (45,000 nested arrays would
 * otherwise blow the stack of whatever walks them). Their errors become domain errors naming
 * `body`: too large → 413, malformed or too deep → 400.
 */
export function bodyParsers(): RequestHandler[] {
  return [
    translatingErrors(
      express.json({
        limit: BODY_LIMIT_BYTES,
        verify: (request, response, body) => {
          keepRawBody(request, response, body);
          assertJsonDepth(body, MAX_JSON_DEPTH);
        },
      }),
    ),
    translatingErrors(express.urlencoded({ extended: true, limit: BODY_LIMIT_BYTES, verify: keepRawBody })),
  ];
}

/** The exact bytes received: the webhook's HMAC is computed over them. */
function keepRawBody(request: IncomingMessage, _response: unknown, body: Buffer): void {
  (request as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
}

/**
 * Refuses JSON nested deeper than `maxDepth`, scanning bytes (UTF-8 never hides a bracket or quote
 * inside a multi-byte character): brackets inside strings do not count.
 */
export function assertJsonDepth(body: Buffer, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < body.length; index++) {
    const byte = body[index];
    if (inString) {
      if (byte === 0x5c)
        index++; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > maxDepth)
        throw new InvalidInputError(
          'body',
          `JSON is nested deeper than ${maxDepth} levels of objects and arrays; send a flatter body`,
          { maxDepth },
        );
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
}

/** body-parser's errors (http-errors with a `type`) as domain errors naming the body. */
function translatingErrors(parser: RequestHandler): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) =>
    parser(request, response, (error?: unknown) => next(error === undefined ? undefined : bodyError(error)));
}

function bodyError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large' || type === 'parameters.too.many')
    return new BodyTooLargeError(BODY_LIMIT_BYTES);
  if (type === 'entity.parse.failed')
    return new DomainError(
      'invalid',
      'body_invalid_json',
      `body: is not valid JSON (${error instanceof Error ? error.message : String(error)}); send a JSON object with Content-Type: application/json`,
      { field: 'body' },
    );
  // A body that cannot be inflated (a wrong Content-Encoding), aborted or with a wrong length.
  if ((error as { status?: unknown } | null)?.status === 400)
    return new InvalidInputError(
      'body',
      `cannot be read (${error instanceof Error ? error.message : String(error)}); check its Content-Encoding and Content-Length`,
    );
  // Unsupported charset or encoding (415): http-errors the exception filter answers with their status.
  return error;
}
