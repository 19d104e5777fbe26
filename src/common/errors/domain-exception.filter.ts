import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, DomainErrorKind } from './domain-error';

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unauthorized: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** The single place where errors become HTTP answers: `{statusCode, error, message, details?}`. */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(DomainExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (exception instanceof DomainError) {
      response.status(STATUS_BY_KIND[exception.kind]).json({
        statusCode: STATUS_BY_KIND[exception.kind],
        error: exception.code,
        message: exception.message,
        ...(exception.details ? { details: exception.details } : {}),
      });
      return;
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      response
        .status(exception.getStatus())
        .json(typeof body === 'string' ? { statusCode: exception.getStatus(), message: body } : body);
      return;
    }
    const clientError = exposedClientError(exception);
    if (clientError) {
      response.status(clientError.statusCode).json(clientError);
      return;
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    response
      .status(HttpStatus.INTERNAL_SERVER_ERROR)
      .json({ statusCode: 500, error: 'internal_error', message: 'Internal server error' });
  }
}

/**
 * Errors of Express middleware made for the client (http-errors: a 4xx `status`, `expose: true`),
 * such as a body parser's unsupported charset or aborted request: their status and message, never
 * a 500. The body parsers' own errors (too large, malformed, too deep) arrive as domain errors
 * already (`src/common/http/body-parsers.ts`).
 */
function exposedClientError(
  exception: unknown,
): { statusCode: number; error: string; message: string } | undefined {
  if (!(exception instanceof Error)) return undefined;
  const { status, expose, type } = exception as { status?: unknown; expose?: unknown; type?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return undefined;
  // body-parser and raw-body name their errors with a `type`: those are about the request body.
  if (typeof type === 'string')
    return { statusCode: status, error: type.replace(/\./g, '_'), message: `body: ${exception.message}` };
  return { statusCode: status, error: 'bad_request', message: exception.message };
}
