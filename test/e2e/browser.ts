import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium; Playwright never downloads a browser in this project. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type ChromiumLookup = { path: string } | { missing: string };

/**
 * Finds Chromium, installing Debian's package when it is missing (as root, or through sudo).
 * Answers why it is unavailable when installation is impossible, so the suite can say so and skip.
 */
export function findOrInstallChromium(): ChromiumLookup {
  if (existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  const asRoot = process.getuid?.() === 0;
  const apt = (...args: string[]) =>
    execFileSync(asRoot ? 'apt-get' : 'sudo', asRoot ? args : ['-n', 'apt-get', ...args], {
      stdio: 'ignore',
      timeout: 10 * 60_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    try {
      apt('install', '-y', '--no-install-recommends', 'chromium');
    } catch {
      apt('update');
      apt('install', '-y', '--no-install-recommends', 'chromium');
    }
  } catch (error) {
    return {
      missing: `could not install chromium with apt-get (${(error as Error).message.split('\n')[0]})`,
    };
  }
  return existsSync(CHROMIUM_PATH)
    ? { path: CHROMIUM_PATH }
    : { missing: `apt-get installed chromium but ${CHROMIUM_PATH} is absent` };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile (its own --user-data-dir), removed on close. */
export async function launchBrowser(
  executablePath: string,
  options: { locale?: string } = {},
): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'c2d-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    acceptDownloads: true,
    locale: options.locale ?? 'en-US',
    viewport: { width: 1280, height: 860 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
