import { DomainError } from '../common/errors/domain-error';

/** Options every command accepts (the base class declares them). */
export interface CliOptions {
  /** Print one JSON document on stdout instead of text; logs and progress stay on stderr. */
  json?: boolean;
}

/** Prints a command's result: the data as JSON with --json, else the human text. */
export function printResult<T>(options: CliOptions, data: T, human: (data: T) => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(data, null, 2)}\n` : `${human(data)}\n`);
}

/** Prints a failure: `{"error": {...}}` on stdout with --json (scripts parse one stream), else text on stderr. */
export function printError(options: CliOptions, error: unknown): void {
  const described = describeError(error);
  if (options.json) process.stdout.write(`${JSON.stringify({ error: described }, null, 2)}\n`);
  else process.stderr.write(`error: ${described.message}\n`);
}

function describeError(error: unknown): { code: string; message: string; details?: Record<string, unknown> } {
  if (error instanceof DomainError)
    return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  if (error instanceof Error)
    return { code: error.name === 'UsageError' ? 'usage' : 'failure', message: error.message };
  return { code: 'failure', message: String(error) };
}
