import { DomainError, DomainErrorKind } from '../common/errors/domain-error';

/** What happened to one request, as the ledger and metrics count it (typed error name in snake case). */
export type RequestOutcome =
  | 'success'
  | 'rate_limited'
  | 'quota_exhausted'
  | 'auth_failed'
  | 'client_already_exists'
  | 'validation_failed'
  | 'not_found'
  | 'transient'
  | 'ambiguous';

/**
 * Base of every Chat2Desk failure. Messages carry the endpoint template (`POST /v1/messages`) and the
 * vendor's text, never the token or a URL with parameters.
 */
export abstract class Chat2DeskError extends DomainError {
  abstract readonly outcome: RequestOutcome;
  /** true when retrying the same call later can succeed. */
  abstract readonly retryable: boolean;

  constructor(
    kind: DomainErrorKind,
    code: string,
    readonly endpoint: string,
    message: string,
    readonly httpStatus?: number,
    details?: Record<string, unknown>,
  ) {
    super(kind, code, `Chat2Desk ${endpoint}: ${message}`, {
      endpoint,
      ...(httpStatus === undefined ? {} : { httpStatus }),
      ...details,
    });
  }
}

/** Short-term rate limit ("Number of API requests exceeded" / 429). */
export class Chat2DeskRateLimitedError extends Chat2DeskError {
  readonly outcome = 'rate_limited';
  readonly retryable = true;
  constructor(endpoint: string, message: string, httpStatus?: number) {
    super('unavailable', 'chat2desk_rate_limited', endpoint, message, httpStatus);
  }
}

/** The month's requests are used up: stop until the month turns or the limit is raised. */
export class Chat2DeskQuotaExhaustedError extends Chat2DeskError {
  readonly outcome = 'quota_exhausted';
  readonly retryable = false;
  constructor(
    endpoint: string,
    message: string,
    /** true = refused locally by the quota reservation, no request was made. */
    readonly refusedLocally: boolean,
    httpStatus?: number,
  ) {
    super('unavailable', 'chat2desk_quota_exhausted', endpoint, message, httpStatus, { refusedLocally });
  }
}

/** The token is wrong, missing or the account's API is disabled: stop and alert a person. */
export class Chat2DeskAuthFailedError extends Chat2DeskError {
  readonly outcome = 'auth_failed';
  readonly retryable = false;
  constructor(endpoint: string, message: string, httpStatus?: number) {
    super('unavailable', 'chat2desk_auth_failed', endpoint, message, httpStatus);
  }
}

/** Newer accounts refuse `POST /v1/clients` for a known phone and name the existing client. */
export class Chat2DeskClientAlreadyExistsError extends Chat2DeskError {
  readonly outcome = 'client_already_exists';
  readonly retryable = false;
  constructor(
    endpoint: string,
    message: string,
    readonly existingClientId: number | undefined,
    httpStatus?: number,
  ) {
    super('conflict', 'chat2desk_client_already_exists', endpoint, message, httpStatus, { existingClientId });
  }
}

/** A permanent refusal of this request as it is: retrying the same call fails the same way. */
export class Chat2DeskValidationError extends Chat2DeskError {
  readonly outcome = 'validation_failed';
  readonly retryable = false;
  constructor(
    endpoint: string,
    message: string,
    /** The vendor's `errors` object: field → messages. */
    readonly fieldErrors: Record<string, string[]>,
    httpStatus?: number,
  ) {
    super('invalid', 'chat2desk_validation_failed', endpoint, message, httpStatus, { fieldErrors });
  }
}

/** `POST /v1/clients` is off for the account (the manual: off by default, support turns it on). */
export class Chat2DeskClientCreationDisabledError extends Chat2DeskValidationError {}

/** "Page not found": wrong path or an id the account does not have. */
export class Chat2DeskNotFoundError extends Chat2DeskError {
  readonly outcome = 'not_found';
  readonly retryable = false;
  constructor(endpoint: string, message: string, httpStatus?: number) {
    super('not_found', 'chat2desk_not_found', endpoint, message, httpStatus);
  }
}

/**
 * Worth retrying: a 5xx, or a connection that failed before the request was written.
 * `mayHaveBeenProcessed` is true for a 5xx answer to a write (the server saw the request and a
 * "500 after processing" looks the same): a send must be reconciled before it is retried.
 */
export class Chat2DeskTransientError extends Chat2DeskError {
  readonly outcome = 'transient';
  readonly retryable = true;
  constructor(
    endpoint: string,
    message: string,
    readonly mayHaveBeenProcessed: boolean,
    httpStatus?: number,
  ) {
    super('unavailable', 'chat2desk_unavailable', endpoint, message, httpStatus, { mayHaveBeenProcessed });
  }
}

/** A write was sent but no answer came (timeout, reset): it may have been processed. Reconcile first. */
export class Chat2DeskAmbiguousError extends Chat2DeskError {
  readonly outcome = 'ambiguous';
  readonly retryable = true;
  readonly mayHaveBeenProcessed = true;
  constructor(endpoint: string, message: string) {
    super('unavailable', 'chat2desk_ambiguous', endpoint, message);
  }
}

/** Whether the failed call may have taken effect on Chat2Desk's side (look before resending). */
export function mayHaveBeenProcessed(error: unknown): boolean {
  return (
    error instanceof Chat2DeskAmbiguousError ||
    (error instanceof Chat2DeskTransientError && error.mayHaveBeenProcessed)
  );
}

export function outcomeOf(error: unknown): RequestOutcome {
  return error instanceof Chat2DeskError ? error.outcome : 'transient';
}
