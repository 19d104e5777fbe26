import 'reflect-metadata';
import { createApp } from '../../src/app.factory';
import { loadAppConfig } from '../../src/config/app-config';
import { DispatchWorker } from '../../src/dispatch/dispatch-worker';

/**
 * A second app instance for multi-process tests and the benchmark: boots the app from the environment
 * (same DATABASE_URL and sandbox as the parent), runs the dispatch worker, prints "ready", and shuts
 * down cleanly on SIGTERM. `kill -9` is the point of some tests: then nothing is cleaned up.
 */
async function main(): Promise<void> {
  const app = await createApp(loadAppConfig());
  await app.init();
  app.get(DispatchWorker).start();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
