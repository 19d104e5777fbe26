import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface TsProcess {
  child: ChildProcess;
  /** Resolves with the exit code when the process exits, for whatever reason. */
  exited: Promise<number | null>;
  /** The end of what it wrote to stderr, for failure messages. */
  errors(): string;
  /** Resolves with the first match of `pattern` on stdout; rejects if the process exits first. */
  waitForLine(pattern: RegExp): Promise<RegExpExecArray>;
  /** SIGTERM and wait for the exit (graceful shutdown). */
  stop(): Promise<void>;
  /** SIGKILL: the process dies mid-flight, leaving its transactions and leases behind. */
  kill(): Promise<void>;
}

/** Runs a TypeScript file of this repository in its own Node process (ts-node), with `env` added. */
export function spawnTsProcess(
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): TsProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ...nodeArgs, script], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitForLine = (pattern: RegExp) => {
    const found = new Promise<RegExpExecArray>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        const match = pattern.exec(chunk.toString());
        if (match) resolve(match);
      });
      void exited.then((code) =>
        reject(new Error(`process exited (${code}) before it was ready: ${errors}`)),
      );
    });
    found.catch(() => undefined);
    return found;
  };
  return {
    child,
    exited,
    errors: () => errors,
    waitForLine,
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
