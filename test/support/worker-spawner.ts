import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves once the app inside is up and dispatching. */
  ready: Promise<void>;
  /** SIGTERM and wait for the exit (graceful shutdown). */
  stop(): Promise<void>;
  /** SIGKILL: the process dies mid-flight, leaving its leases behind. */
  kill(): Promise<void>;
}

/**
 * Starts test/support/worker-process.ts in its own Node process with `env` added; `clockSkewMs`
 * moves that process's wall clock (an instance on a machine whose clock is off).
 */
export function spawnWorker(
  env: Record<string, string>,
  options: { clockSkewMs?: number } = {},
): WorkerProcess {
  const skew = options.clockSkewMs ? ['-r', join(__dirname, 'skewed-clock.ts')] : [];
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', ...skew, join(__dirname, 'worker-process.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        LOG_LEVEL: 'silent',
        SCHEDULER_ENABLED: 'false',
        TEST_CLOCK_SKEW_MS: String(options.clockSkewMs ?? 0),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`worker exited (${code}) before it was ready: ${errors.slice(-2000)}`)),
    );
  });
  return {
    child,
    ready,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
