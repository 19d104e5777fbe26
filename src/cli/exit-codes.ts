import { DomainError, DomainErrorKind } from '../common/errors/domain-error';

/** Exit codes scripts can rely on. */
export enum ExitCode {
  Ok = 0,
  Failure = 1,
  Usage = 2,
  NotFound = 3,
  Conflict = 4,
}

const EXIT_CODE_BY_KIND: Record<DomainErrorKind, ExitCode> = {
  invalid: ExitCode.Usage,
  too_large: ExitCode.Usage,
  not_found: ExitCode.NotFound,
  conflict: ExitCode.Conflict,
  unauthorized: ExitCode.Failure,
  forbidden: ExitCode.Failure,
  unavailable: ExitCode.Failure,
};

/** A wrong invocation found by a command itself (missing argument, bad value). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof DomainError) return EXIT_CODE_BY_KIND[error.kind];
  if (error instanceof UsageError) return ExitCode.Usage;
  return ExitCode.Failure;
}

/** Commander's own errors: help and version are fine, anything else is a usage error. */
export function exitCodeForCommanderError(error: { code?: string; exitCode?: number }): ExitCode {
  const fine = ['commander.helpDisplayed', 'commander.help', 'commander.version'];
  return fine.includes(error.code ?? '') || error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
}
