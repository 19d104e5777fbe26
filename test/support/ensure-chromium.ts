import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromiumPath } from './browser';

/**
 * `npm test`'s pretest step: makes sure the browser test has a Chromium, installing Debian's package
 * (as root, or through passwordless sudo) when it is missing. Fails with what to do otherwise, so
 * the suite never skips the browser test silently.
 */
function aptGet(...args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  execFileSync(asRoot ? 'apt-get' : 'sudo', asRoot ? args : ['-n', 'apt-get', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 10 * 60_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function install(): void {
  try {
    aptGet('install', '-y', '--no-install-recommends', 'chromium');
  } catch {
    aptGet('update');
    aptGet('install', '-y', '--no-install-recommends', 'chromium');
  }
}

function main(): void {
  const path = chromiumPath();
  if (existsSync(path)) return;
  if (!process.env.CHROMIUM_PATH) {
    process.stdout.write("Chromium for the browser test is missing: installing Debian's package…\n");
    try {
      install();
    } catch (error) {
      process.stderr.write(
        `apt-get could not install chromium: ${(error as Error).message.split('\n')[0]}\n`,
      );
    }
    if (existsSync(path)) return;
  }
  process.stderr.write(
    `The browser test needs Chromium at ${path}.\n` +
      'Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary, then run npm test again.\n',
  );
  process.exit(1);
}

main();
