import { Presets, SingleBar } from 'cli-progress';
import { CliOptions } from './cli-output';

export interface Progress {
  increment(by?: number): void;
  update(value: number): void;
  setTotal(total: number): void;
  stop(): void;
}

const SILENT: Progress = {
  increment: () => undefined,
  update: () => undefined,
  setTotal: () => undefined,
  stop: () => undefined,
};

/**
 * A progress bar on stderr for long work (imports, campaign runs, exports). Silent with --json
 * and when stderr is not a terminal, so scripts and CI logs get no control characters.
 */
export function startProgress(options: CliOptions, label: string, total: number): Progress {
  if (options.json || !process.stderr.isTTY) return SILENT;
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    increment: (by = 1) => bar.increment(by),
    update: (value) => bar.update(value),
    setTotal: (newTotal) => bar.setTotal(newTotal),
    stop: () => bar.stop(),
  };
}
