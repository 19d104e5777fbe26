import 'reflect-metadata';
import { createApp } from '../../src/app.factory';
import { loadAppConfig } from '../../src/config/app-config';
import { provisionRuntime } from '../../src/runtime';

/**
 * One whole app instance as production starts it (migrations at boot, HTTP, the loops its
 * INSTANCE_ROLE runs), for tests that run several instances as real processes on one database.
 * Prints "ready <port>" once listening; SIGTERM shuts it down as main.ts does.
 */
async function main(): Promise<void> {
  const runtime = await provisionRuntime(loadAppConfig(), () => undefined);
  const app = await createApp(runtime.config);
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => runtime.close())
      .then(() => process.exit(0));
  });
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`ready ${(app.getHttpServer().address() as { port: number }).port}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
