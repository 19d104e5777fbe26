/**
 * Errors the domain raises on purpose. The one exception filter maps `kind` to an HTTP status and
 * the CLI maps it to an exit code, so services never think about transports.
 */
export type DomainErrorKind =
  'invalid' | 'not_found' | 'conflict' | 'unauthorized' | 'forbidden' | 'too_large' | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable machine-readable code, e.g. `campaign_invalid_transition`. */
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Signed in, but the role does not allow this (or a request that looks forged: CSRF). */
export class ForbiddenError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super('forbidden', code, message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: string | number) {
    super('not_found', `${entity.toLowerCase()}_not_found`, `${entity} ${id} was not found`, { entity, id });
  }
}

export class InvalidInputError extends DomainError {
  constructor(field: string, message: string, details?: Record<string, unknown>) {
    super('invalid', 'invalid_input', `${field}: ${message}`, { field, ...details });
  }
}

export class InvalidTransitionError extends DomainError {
  constructor(entity: string, from: string, action: string, allowedFrom: readonly string[]) {
    super(
      'conflict',
      `${entity.toLowerCase()}_invalid_transition`,
      `Cannot ${action} a ${entity.toLowerCase()} that is ${from}; allowed from: ${allowedFrom.join(', ')}`,
      { from, action, allowedFrom },
    );
  }
}
