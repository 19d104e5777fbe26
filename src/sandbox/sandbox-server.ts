import { createHmac, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import {
  ApiContext,
  ApiAnswer,
  handleApiRequest,
  messageView,
  PAGE_NOT_FOUND,
  routeKey,
  SandboxApiError,
} from './sandbox-api';
import { MONTHLY_LIMIT_BY_MODE, SANDBOX_CHANNELS } from './sandbox-fixtures';
import { DEFAULT_RUNTIME_CONFIG, RouteFaults, SandboxOptions, SandboxRuntimeConfig } from './sandbox-options';
import { SandboxLedger, SandboxMessage, SandboxState } from './sandbox-state';
import { SeededRandom } from './seeded-random';

export type {
  SandboxOptions,
  SandboxRuntimeConfig,
  FaultPlan,
  RouteFaults,
  ClientCreationBehaviour,
} from './sandbox-options';
export type { SandboxLedger, WhatsAppViolation, SandboxMessage, SandboxClient } from './sandbox-state';

export const TOKEN_MISSING = 'You have to specify your token';
export const TOKEN_WRONG = 'Token is not correct';
export const RATE_LIMITED = 'Number of API requests exceeded';
export const QUOTA_EXCEEDED = 'API calls exceeded API limit per month';
export const API_DISABLED = 'API is disabled for your company';
const ADMIN_PREFIX = '/__sandbox/';

export interface BulkClientsRequest {
  count?: number;
  /** Phones are `phonePrefix` + a zero-padded sequence number (11 digits in all). */
  phonePrefix?: string;
  phones?: string[];
  transport?: string;
  channelId?: number;
  /** true (default): the WhatsApp delay is already over, as for clients that wrote before. */
  readyNow?: boolean;
}

export interface InboxRequest {
  phone?: string;
  clientId?: number;
  /** Same as clientId, as the admin API's JSON may spell it. */
  client_id?: number;
  text: string;
  transport?: string;
  channelId?: number;
}

export interface RunningSandbox {
  /** Base URL of the API, e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  token: string;
  /** Base URL of the admin API: `${url}/__sandbox`. */
  adminUrl: string;
  state: SandboxState;
  ledger(): SandboxLedger;
  config(): SandboxRuntimeConfig;
  configure(patch: Partial<SandboxRuntimeConfig>): SandboxRuntimeConfig;
  /** Creates (or reuses) clients by phone without spending API requests; returns them in order. */
  seedClients(request: BulkClientsRequest): Array<{ id: number; phone: string }>;
  /** A message from a client; posted to the registered webhooks. */
  inbox(request: InboxRequest): Promise<SandboxMessage>;
  /** Forgets clients, messages, webhooks and counters; keeps the configuration. */
  reset(): void;
  close(): Promise<void>;
}

class SandboxServer {
  state = new SandboxState();
  config: SandboxRuntimeConfig;
  private readonly random: SeededRandom;
  private readonly now: () => number;
  readonly seed: number;
  private readonly sockets = new Set<Socket>();
  private readonly webhookSigning: SandboxOptions['webhookSigning'];
  readonly server: Server;

  constructor(
    options: SandboxOptions,
    readonly token: string,
  ) {
    const { port: _port, host: _host, token: _token, seed, now, webhookSigning, ...runtime } = options;
    this.webhookSigning = webhookSigning;
    this.config = DEFAULT_RUNTIME_CONFIG;
    this.configure(runtime);
    this.seed = seed ?? 1;
    this.random = new SeededRandom(this.seed);
    this.now = now ?? Date.now;
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  private monthlyLimit(): number {
    return this.config.monthlyLimit ?? MONTHLY_LIMIT_BY_MODE[this.config.mode];
  }

  private context(): ApiContext {
    return { state: this.state, config: this.config, seed: this.seed };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://sandbox');
      const rawBody = await readBody(request);
      if (url.pathname.startsWith(ADMIN_PREFIX)) return this.handleAdmin(request, response, url, rawBody);
      await this.handleApi(request, response, url, rawBody);
    } catch (error) {
      if (!response.headersSent)
        send(response, 500, { status: 'error', message: `Sandbox failure: ${String(error)}` });
    }
  }

  private async handleApi(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    rawBody: string,
  ): Promise<void> {
    const nowMs = this.now();
    const segments = url.pathname
      .replace(/^\/v1\//, '')
      .replace(/\/$/, '')
      .split('/');
    const method = request.method ?? 'GET';
    const route = url.pathname.startsWith('/v1/') ? routeKey(method, segments) : `${method} ${url.pathname}`;
    const secondCount = this.state.countRequest(route, nowMs);
    if (this.config.latencyMs > 0) await delay(this.config.latencyMs);

    const rejection = this.admissionError(request, secondCount);
    if (rejection) return this.sendError(response, rejection);
    this.state.requestsThisMonth += 1;
    if (!url.pathname.startsWith('/v1/'))
      return this.sendError(response, new SandboxApiError(404, PAGE_NOT_FOUND));

    const faults = this.faultsFor(route);
    if (this.random.chance(faults.error500Before)) return this.fault(() => sendInfrastructureError(response));
    let answer: ApiAnswer;
    try {
      answer = handleApiRequest(
        { method, segments, query: url.searchParams, body: parseJsonObject(rawBody), nowMs },
        this.context(),
      );
    } catch (error) {
      if (error instanceof SandboxApiError) return this.sendError(response, error);
      throw error;
    }
    // Faults "after": the request was processed (a message may have been sent), the answer is lost or late.
    if (this.random.chance(faults.resetAfter)) return this.fault(() => request.socket.destroy());
    if (this.random.chance(faults.error500After)) return this.fault(() => sendInfrastructureError(response));
    if (faults.slowAfterMs && this.random.chance(faults.slowAfterProbability ?? 1))
      await delay(faults.slowAfterMs);
    send(response, 200, {
      status: 'success',
      data: answer.data,
      ...(answer.meta ? { meta: answer.meta } : {}),
    });
  }

  /** Answers with an injected fault, counted in the ledger (tests bound the requests a fault may cost). */
  private fault(answer: () => void): void {
    this.state.faultsInjected += 1;
    answer();
  }

  /** Token, API mode, per-second rate and monthly quota, in the order the live service checks them. */
  private admissionError(request: IncomingMessage, secondCount: number): SandboxApiError | undefined {
    const token = request.headers.authorization;
    if (!token) return new SandboxApiError(401, TOKEN_MISSING);
    if (token !== this.token) return new SandboxApiError(401, TOKEN_WRONG);
    if (this.config.mode === 'disabled') return new SandboxApiError(403, API_DISABLED);
    if (this.config.rateLimitPerSecond > 0 && secondCount > this.config.rateLimitPerSecond) {
      this.state.rateLimited += 1;
      return new SandboxApiError(429, RATE_LIMITED);
    }
    if (this.state.requestsThisMonth >= this.monthlyLimit()) {
      this.state.quotaRejected += 1;
      return new SandboxApiError(403, QUOTA_EXCEEDED);
    }
    return undefined;
  }

  private faultsFor(route: string): RouteFaults {
    return this.config.faults[route] ?? this.config.faults['*'] ?? {};
  }

  private sendError(response: ServerResponse, error: SandboxApiError): void {
    const payload = error.errors
      ? { errors: error.errors, message: error.message }
      : { message: error.message };
    const body = this.config.errorsNestedInData
      ? { status: 'error', data: payload }
      : { status: 'error', ...payload };
    send(response, this.config.errorsWithHttp200 ? 200 : error.httpStatus, body);
  }

  private handleAdmin(request: IncomingMessage, response: ServerResponse, url: URL, rawBody: string): void {
    if (request.headers.authorization !== this.token)
      return send(response, 401, { status: 'error', message: TOKEN_WRONG });
    const route = `${request.method} ${url.pathname.slice(ADMIN_PREFIX.length)}`;
    const body = parseJsonObject(rawBody);
    try {
      switch (route) {
        case 'GET ledger':
          return send(response, 200, this.state.ledger());
        case 'GET config':
          return send(response, 200, this.config);
        case 'PATCH config':
          return send(response, 200, this.configure(body as Partial<SandboxRuntimeConfig>));
        case 'POST clients/bulk':
          return send(response, 200, { clients: this.seedClients(body as BulkClientsRequest) });
        case 'POST inbox':
          return void this.inbox(body as unknown as InboxRequest).then(
            (message) => send(response, 200, messageView(message, this.now(), this.context())),
            (error: unknown) => send(response, 400, { status: 'error', message: String(error) }),
          );
        case 'POST reset':
          this.reset();
          return send(response, 200, { status: 'success' });
        default:
          return send(response, 404, { status: 'error', message: PAGE_NOT_FOUND });
      }
    } catch (error) {
      send(response, 400, {
        status: 'error',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }

  configure(patch: Partial<SandboxRuntimeConfig>): SandboxRuntimeConfig {
    // Unset options (undefined, e.g. from an absent env variable) keep their current value.
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    this.config = { ...this.config, ...defined, statuses: { ...this.config.statuses, ...patch.statuses } };
    return this.config;
  }

  seedClients(request: BulkClientsRequest): Array<{ id: number; phone: string }> {
    const transport = request.transport ?? 'whatsapp';
    const channelId =
      request.channelId ?? SANDBOX_CHANNELS.find((channel) => channel.transports.includes(transport))?.id;
    if (channelId === undefined) throw new Error(`No sandbox channel has transport ${transport}`);
    const phones = request.phones ?? sequentialPhones(request.phonePrefix ?? '7900', request.count ?? 0);
    const nowMs = this.now();
    const delayMs = request.readyNow === false ? this.config.whatsappNewClientDelaySeconds * 1000 : 0;
    return phones.map((phone) => {
      const existing = this.state.clientsByPhone.get(phone);
      const client = existing ?? this.state.addClient(phone, transport, channelId, nowMs, delayMs);
      if (existing) this.state.addTransport(existing, transport, channelId, nowMs, delayMs);
      return { id: client.id, phone: client.phone };
    });
  }

  async inbox(request: InboxRequest): Promise<SandboxMessage> {
    const clientId = request.clientId ?? request.client_id;
    const client =
      clientId !== undefined
        ? this.state.clientsById.get(Number(clientId))
        : this.state.clientsByPhone.get(String(request.phone ?? ''));
    if (!client)
      throw new Error(
        `No sandbox client with ${clientId !== undefined ? `id ${clientId}` : `phone ${request.phone}`}`,
      );
    const [channelId, transports] = [...client.transports.entries()][0];
    const message = this.state.addMessage({
      clientId: client.id,
      text: request.text,
      attachment: null,
      type: 'from_client',
      transport: request.transport ?? [...transports][0],
      channelId: request.channelId ?? channelId,
      operatorId: null,
      createdAtMs: this.now(),
    });
    await this.notifyWebhooks(message);
    return message;
  }

  /** Older hook gets the message as `GET /v1/messages` shows it; newer webhooks get `event: "inbox"`. */
  async notifyWebhooks(message: SandboxMessage): Promise<void> {
    const view = messageView(message, this.now(), this.context());
    const client = this.state.clientsById.get(message.clientId)!;
    const deliveries: Array<Promise<unknown>> = [];
    if (this.state.webhookUrl) deliveries.push(postJson(this.state.webhookUrl, view, this.webhookSigning));
    const event = {
      event: 'inbox',
      message_id: message.id,
      client_id: message.clientId,
      client: { id: client.id, phone: client.phone, name: client.name, assigned_name: client.assignedName },
      text: message.text,
      transport: message.transport,
      channel_id: message.channelId,
      type: 'from_client',
      created: view.created,
    };
    for (const webhook of this.state.webhooks) {
      if (
        webhook.status === 'enable' &&
        webhook.events.includes('inbox') &&
        webhook.channels.includes(message.channelId)
      ) {
        deliveries.push(postJson(webhook.url, event, this.webhookSigning));
      }
    }
    await Promise.allSettled(deliveries);
  }

  reset(): void {
    this.state = new SandboxState(this.state.nextMessageId);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }
}

function sequentialPhones(prefix: string, count: number): string[] {
  const width = Math.max(11 - prefix.length, String(count).length);
  return Array.from({ length: count }, (_, index) => `${prefix}${String(index + 1).padStart(width, '0')}`);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJsonObject(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  response.end(payload);
}

/** Faults come from the infrastructure in front of the API: a real 500, whatever the error settings. */
function sendInfrastructureError(response: ServerResponse): void {
  send(response, 500, { status: 'error', message: 'Internal server error' });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function postJson(
  url: string,
  body: unknown,
  signing?: SandboxOptions['webhookSigning'],
): Promise<void> {
  const payload = JSON.stringify(body);
  const signature = signing
    ? { [signing.header]: createHmac('sha256', signing.secret).update(payload).digest('hex') }
    : {};
  await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signature },
    body: payload,
    signal: AbortSignal.timeout(5_000),
  });
}

/** Starts a Chat2Desk-compatible API on plain node:http (no Nest: it must serve thousands of requests/s). */
export async function startSandboxServer(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const token = options.token ?? randomBytes(16).toString('hex');
  const sandbox = new SandboxServer(options, token);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    sandbox.server.once('error', reject);
    sandbox.server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = sandbox.server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  return {
    url,
    token,
    adminUrl: `${url}/__sandbox`,
    get state() {
      return sandbox.state;
    },
    ledger: () => sandbox.state.ledger(),
    config: () => sandbox.config,
    configure: (patch) => sandbox.configure(patch),
    seedClients: (request) => sandbox.seedClients(request),
    inbox: (request) => sandbox.inbox(request),
    reset: () => sandbox.reset(),
    close: () => sandbox.close(),
  };
}
