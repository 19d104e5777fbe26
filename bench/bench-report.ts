/** What every benchmark in bench/ shares: its command line, rounding, the machine line and RESULTS.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export const RESULTS = join(__dirname, 'RESULTS.md');

/** The value after `name` on the command line (`--rows 1000`), if any. */
export function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** `2 CPU (model), 8 GB RAM, Node v20.x, <database>`. */
export function machineDescription(database: string): string {
  return `${cpus().length} CPU (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 1024 ** 3)} GB RAM, Node ${process.version}, ${database}`;
}

/** The 1, 5 and 15 minute load averages, e.g. `0.52 0.61 0.70`. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/**
 * Writes `lines` into RESULTS.md between `<!-- {marker}:start -->` and `<!-- {marker}:end -->`,
 * replacing the previous run's section or appending the first one; the other sections are kept.
 */
export function recordSection(marker: string, lines: string[]): void {
  const section = [`<!-- ${marker}:start -->`, ...lines, `<!-- ${marker}:end -->`].join('\n');
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
  const pattern = new RegExp(`<!-- ${marker}:start -->[\\s\\S]*?<!-- ${marker}:end -->`);
  writeFileSync(
    RESULTS,
    pattern.test(current) ? current.replace(pattern, () => section) : `${current.trimEnd()}\n\n${section}\n`,
  );
  console.log(`Recorded in ${RESULTS}`);
}
