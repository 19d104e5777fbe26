import { MONTHLY_LIMIT_BY_MODE, SandboxMode } from './sandbox-fixtures';
import { ClientCreationBehaviour } from './sandbox-options';
import { startSandboxServer } from './sandbox-server';

const CLIENT_CREATION: ClientCreationBehaviour[] = ['upsert', 'already-exists', 'disabled'];

function oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!allowed.includes(value as T))
    throw new Error(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

function number(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new Error(`${name} must be a non-negative number (got "${value}")`);
  return parsed;
}

/** `npm run sandbox`: the Chat2Desk sandbox alone, configured from SANDBOX_* variables (README). */
async function main(): Promise<void> {
  const sandbox = await startSandboxServer({
    port: number('SANDBOX_PORT') ?? 8090,
    host: process.env.SANDBOX_HOST || '127.0.0.1',
    token: process.env.SANDBOX_TOKEN || undefined,
    mode: oneOf('SANDBOX_MODE', Object.keys(MONTHLY_LIMIT_BY_MODE) as SandboxMode[], 'normal'),
    monthlyLimit: number('SANDBOX_MONTHLY_LIMIT'),
    rateLimitPerSecond: number('SANDBOX_RATE_LIMIT_PER_SECOND'),
    whatsappNewClientDelaySeconds: number('SANDBOX_WHATSAPP_DELAY_SECONDS'),
    clientCreation: oneOf('SANDBOX_CLIENT_CREATION', CLIENT_CREATION),
    errorsWithHttp200: process.env.SANDBOX_ERRORS_WITH_HTTP_200 === 'true',
    latencyMs: number('SANDBOX_LATENCY_MS'),
    seed: number('SANDBOX_SEED'),
    webhookSigning: process.env.SANDBOX_WEBHOOK_SECRET
      ? {
          secret: process.env.SANDBOX_WEBHOOK_SECRET,
          header: process.env.SANDBOX_WEBHOOK_SIGNATURE_HEADER || 'X-Signature',
        }
      : undefined,
  });
  console.log(`Chat2Desk sandbox listening on ${sandbox.url}`);
  console.log(`token: ${sandbox.token}   admin: ${sandbox.adminUrl}/ledger`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
