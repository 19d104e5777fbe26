import { Command, Option } from 'nest-commander';
import { startSandboxServer } from '../../sandbox/sandbox-server';
import { CliCommand } from '../cli-command';
import { CliOptions, printResult } from '../cli-output';
import { UsageError } from '../exit-codes';

interface SandboxCommandOptions extends CliOptions {
  port?: number;
  token?: string;
  seed?: number;
}

@Command({ name: 'sandbox', description: 'Run the Chat2Desk sandbox alone until Ctrl-C' })
export class SandboxCommand extends CliCommand<SandboxCommandOptions> {
  async execute(_params: string[], options: SandboxCommandOptions): Promise<void> {
    const sandbox = await startSandboxServer({
      port: options.port ?? 8090,
      token: options.token,
      seed: options.seed,
    });
    printResult(
      options,
      { url: sandbox.url, token: sandbox.token, adminUrl: sandbox.adminUrl },
      (s) => `Chat2Desk sandbox listening on ${s.url}\ntoken: ${s.token}   admin: ${s.adminUrl}/ledger`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sandbox.close();
  }

  @Option({ flags: '--port <port>', description: 'port to listen on (default 8090, 0 = any free port)' })
  parsePort(value: string): number {
    return parseInteger('--port', value);
  }

  @Option({ flags: '--token <token>', description: 'token clients must send (default: random)' })
  parseToken(value: string): string {
    return value;
  }

  @Option({ flags: '--seed <seed>', description: 'seed of status progression and fault injection' })
  parseSeed(value: string): number {
    return parseInteger('--seed', value);
  }
}

function parseInteger(flag: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new UsageError(`${flag}: expected a non-negative integer, got "${value}"`);
  return parsed;
}
