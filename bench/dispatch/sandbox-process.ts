import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { findFreePort } from '../../src/database/embedded-postgres';
import type {
  BulkClientsRequest,
  SandboxLedger,
  SandboxRuntimeConfig,
} from '../../src/sandbox/sandbox-server';

const ROOT = join(__dirname, '..', '..');

/** The Chat2Desk sandbox in its own process (as `npm run sandbox` runs it), driven over its admin API. */
export class SandboxProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly token: string,
  ) {}

  static async start(env: Record<string, string>): Promise<SandboxProcess> {
    const port = await findFreePort();
    const token = randomBytes(16).toString('hex');
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/sandbox/main.ts')],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
          SANDBOX_PORT: String(port),
          SANDBOX_TOKEN: token,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
      child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
    });
    return new SandboxProcess(child, `http://127.0.0.1:${port}`, token);
  }

  ledger(): Promise<SandboxLedger> {
    return this.admin('GET', 'ledger');
  }

  configure(patch: Partial<SandboxRuntimeConfig>): Promise<SandboxRuntimeConfig> {
    return this.admin('PATCH', 'config', patch);
  }

  async seedClients(request: BulkClientsRequest): Promise<Array<{ id: number; phone: string }>> {
    return (
      await this.admin<{ clients: Array<{ id: number; phone: string }> }>('POST', 'clients/bulk', request)
    ).clients;
  }

  async reset(): Promise<void> {
    await this.admin('POST', 'reset');
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  private async admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/__sandbox/${path}`, {
      method,
      headers: { Authorization: this.token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`sandbox ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }
}
