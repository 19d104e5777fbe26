import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigurationError } from './config/env-reader';
import { loadAppConfig } from './config/app-config';
import { loadDotEnv } from './config/dot-env';
import { provisionRuntime } from './runtime';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadAppConfig();
  const runtime = await provisionRuntime(config, (message) => console.log(message));
  const app = await createApp(runtime.config).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  // Nest's own signal hooks would exit before the embedded database stops; close in order instead.
  // app.close() runs every onModuleDestroy / beforeApplicationShutdown / onApplicationShutdown hook:
  // workers finish their in-flight sends and release their leases there, while the DB is still up.
  const shutdown = async (signal: string) => {
    console.log(`${signal}: finishing in-flight work and shutting down`);
    let exitCode = 0;
    try {
      await app.close();
    } catch (error) {
      console.error('shutdown: closing the app failed', error);
      exitCode = 1;
    }
    await runtime.close();
    process.exit(exitCode);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await app.listen(runtime.config.port);
  const url = `http://localhost:${runtime.config.port}`;
  console.log(`chat2desk-campaigns is up: dashboard ${url}/  API docs ${url}/api/docs  health ${url}/health`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
