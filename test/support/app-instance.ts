import { join } from 'node:path';
import { spawnTsProcess, TsProcess } from './ts-process';

export interface AppInstance extends TsProcess {
  /** Resolves with the instance's base URL once it listens. */
  ready: Promise<string>;
}

/** Starts test/support/app-instance-process.ts (a whole app instance) in its own Node process with `env` added. */
export function spawnAppInstance(env: Record<string, string>): AppInstance {
  const process = spawnTsProcess(join(__dirname, 'app-instance-process.ts'), env);
  const ready = process.waitForLine(/ready (\d+)/).then(([, port]) => `http://127.0.0.1:${port}`);
  return { ...process, ready };
}
