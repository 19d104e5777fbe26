import { SandboxMode } from './sandbox-fixtures';
import { ClientCreationBehaviour } from './sandbox-options';
import { startSandboxServer } from './sandbox-server';

/** `npm run sandbox`: the Chat2Desk sandbox alone, configured from SANDBOX_* variables. */
async function main(): Promise<void> {
  const env = process.env;
  const number = (name: string): number | undefined => (env[name] === undefined || env[name] === '' ? undefined : Number(env[name]));
  const sandbox = await startSandboxServer({
    port: number('SANDBOX_PORT') ?? 8090,
    host: env.SANDBOX_HOST ?? '127.0.0.1',
    token: env.SANDBOX_TOKEN || undefined,
    mode: (env.SANDBOX_MODE as SandboxMode | undefined) ?? 'normal',
    monthlyLimit: number('SANDBOX_MONTHLY_LIMIT'),
    rateLimitPerSecond: number('SANDBOX_RATE_LIMIT_PER_SECOND'),
    whatsappNewClientDelaySeconds: number('SANDBOX_WHATSAPP_DELAY_SECONDS'),
    clientCreation: env.SANDBOX_CLIENT_CREATION as ClientCreationBehaviour | undefined,
    errorsWithHttp200: env.SANDBOX_ERRORS_WITH_HTTP_200 === 'true',
    latencyMs: number('SANDBOX_LATENCY_MS'),
    seed: number('SANDBOX_SEED'),
  });
  console.log(`Chat2Desk sandbox listening on ${sandbox.url}`);
  console.log(`token: ${sandbox.token}   admin: ${sandbox.adminUrl}/ledger`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
