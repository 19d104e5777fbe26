import { join } from 'node:path';
import { spawnTsProcess, TsProcess } from './ts-process';

export interface WorkerProcess extends TsProcess {
  /** Resolves once the app inside is up and dispatching. */
  ready: Promise<void>;
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
  const process = spawnTsProcess(
    join(__dirname, 'worker-process.ts'),
    { SCHEDULER_ENABLED: 'false', TEST_CLOCK_SKEW_MS: String(options.clockSkewMs ?? 0), ...env },
    skew,
  );
  return { ...process, ready: process.waitForLine(/ready/).then(() => undefined) };
}
