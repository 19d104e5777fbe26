import {
  DomainError,
  InvalidInputError,
  InvalidTransitionError,
  NotFoundError,
} from '../common/errors/domain-error';
import { exitCodeFor, exitCodeForCommanderError, ExitCode, UsageError } from './exit-codes';

describe('CLI exit codes', () => {
  it('maps domain errors by kind: invalid → 2, not found → 3, conflict → 4, the rest → 1', () => {
    expect(exitCodeFor(new InvalidInputError('phone', 'is not a number'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new NotFoundError('Campaign', 'c-1'))).toBe(ExitCode.NotFound);
    expect(exitCodeFor(new InvalidTransitionError('Campaign', 'completed', 'pause', ['running']))).toBe(
      ExitCode.Conflict,
    );
    expect(exitCodeFor(new DomainError('unavailable', 'chat2desk_down', 'Chat2Desk is unreachable'))).toBe(
      ExitCode.Failure,
    );
    expect(exitCodeFor(new DomainError('too_large', 'file_too_large', 'File is over 200 MB'))).toBe(
      ExitCode.Usage,
    );
  });

  it('treats a UsageError as 2 and any other error as 1', () => {
    expect(exitCodeFor(new UsageError('--steps: expected a positive integer'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new Error('connection refused'))).toBe(ExitCode.Failure);
    expect(exitCodeFor('a string')).toBe(ExitCode.Failure);
  });

  it('lets help and version through and turns other commander errors into usage errors', () => {
    expect(exitCodeForCommanderError({ code: 'commander.helpDisplayed', exitCode: 0 })).toBe(ExitCode.Ok);
    expect(exitCodeForCommanderError({ code: 'commander.unknownCommand', exitCode: 1 })).toBe(ExitCode.Usage);
    expect(exitCodeForCommanderError({ code: 'commander.missingArgument', exitCode: 1 })).toBe(
      ExitCode.Usage,
    );
  });
});
