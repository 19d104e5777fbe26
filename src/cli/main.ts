#!/usr/bin/env node
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { ConfigurationError } from '../config/env-reader';
import { AppConfig, loadAppConfig } from '../config/app-config';
import { loadDotEnv } from '../config/dot-env';
import { ProvisionedRuntime, provisionRuntime } from '../runtime';
import { DATABASE_COMMAND_NAMES, STANDALONE_COMMAND_NAMES } from './cli-commands';
import { CliBoot, CliModule } from './cli.module';
import { printError } from './cli-output';
import { exitCodeFor, exitCodeForCommanderError, ExitCode } from './exit-codes';

/**
 * `npm run cli -- <command>`: the same services as the HTTP app, without HTTP and without crons.
 * Zero-config like `npm start`: it attaches to the embedded PostgreSQL a running server uses (or
 * starts it), and starts a sandbox when CHAT2DESK_TOKEN is unset.
 */
async function main(argv: string[]): Promise<number> {
  const commandName = argv.slice(2).find((arg) => !arg.startsWith('-'));
  const boot: CliBoot =
    commandName !== undefined && STANDALONE_COMMAND_NAMES.includes(commandName) ? 'standalone' : 'app';
  loadDotEnv();
  const config = loadAppConfig({ LOG_LEVEL: 'warn', ...process.env, SCHEDULER_ENABLED: 'false' });
  const runtime = await provisionFor(config, boot, commandName);
  try {
    const app = await CommandFactory.runWithoutClosing(CliModule.forRoot(runtime?.config ?? config, boot), {
      logger: config.logLevel === 'silent' ? false : ['error'],
      cliName: 'chat2desk-campaigns',
      errorHandler: (error) => {
        throw error; // unwinds commander instead of letting it call process.exit itself
      },
      serviceErrorHandler: (error) => {
        process.exitCode = isCommanderError(error) ? exitCodeForCommanderError(error) : reportFailure(error);
      },
    });
    await app.close();
  } finally {
    await runtime?.close();
  }
  return Number(process.exitCode ?? ExitCode.Ok);
}

/** Standalone commands get only what they need; `migrate` gets the database but not the migrations. */
async function provisionFor(
  config: AppConfig,
  boot: CliBoot,
  commandName?: string,
): Promise<ProvisionedRuntime | undefined> {
  const log = (message: string) => process.stderr.write(`${message}\n`);
  if (boot === 'app') return provisionRuntime(config, log);
  if (commandName !== undefined && DATABASE_COMMAND_NAMES.includes(commandName)) {
    return provisionRuntime(config, log, { migrate: false, sandbox: false, apiKey: false });
  }
  return undefined;
}

function isCommanderError(error: unknown): error is { code: string; exitCode: number } {
  return (
    typeof (error as { code?: unknown }).code === 'string' &&
    (error as { code: string }).code.startsWith('commander.')
  );
}

function reportFailure(error: unknown): ExitCode {
  printError({}, error);
  return exitCodeFor(error);
}

main(process.argv)
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    process.stderr.write(
      `${error instanceof ConfigurationError ? error.message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exit(ExitCode.Failure);
  });
