import { Agent as HttpAgent, request as httpRequest, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import {
  Chat2DeskAmbiguousError,
  Chat2DeskAuthFailedError,
  Chat2DeskClientAlreadyExistsError,
  Chat2DeskClientCreationDisabledError,
  Chat2DeskError,
  Chat2DeskNotFoundError,
  Chat2DeskQuotaExhaustedError,
  Chat2DeskRateLimitedError,
  Chat2DeskTransientError,
  Chat2DeskValidationError,
} from './chat2desk.errors';
import { PageMeta } from './chat2desk.types';

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT';
  /** Path with query string, e.g. `/v1/clients?phone=7931…`. */
  path: string;
  /** Template for logs, ledger and errors, e.g. `GET /v1/clients/:id`. */
  endpoint: string;
  body?: unknown;
}

export interface SuccessEnvelope {
  data: unknown;
  meta?: PageMeta;
}

/**
 * One HTTP exchange with Chat2Desk: raw token header, per-request timeout (AbortController), and
 * every answer judged by HTTP status AND body. Knows when a failure happened relative to writing the
 * request, which decides transient vs ambiguous.
 */
export class Chat2DeskHttp {
  private readonly base: URL;
  private readonly agent: HttpAgent;

  constructor(
    apiUrl: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {
    this.base = new URL(apiUrl);
    // Keep-alive: thousands of sends/s must not open a connection each.
    this.agent =
      this.base.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, maxSockets: 64 })
        : new HttpAgent({ keepAlive: true, maxSockets: 64 });
  }

  async call(call: HttpCall): Promise<SuccessEnvelope> {
    const { status, text } = await this.exchange(call);
    return judgeResponse(call, status, text, this.token);
  }

  close(): void {
    this.agent.destroy();
  }

  private exchange(call: HttpCall): Promise<{ status: number; text: string }> {
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let written = false;
    // Only a write that reached the server can have taken effect; reads are always safe to repeat.
    const failure = (error: NodeJS.ErrnoException) => {
      const reason = controller.signal.aborted
        ? `no answer within ${this.timeoutMs} ms`
        : (error.code ?? error.message);
      return written && call.method !== 'GET'
        ? new Chat2DeskAmbiguousError(
            call.endpoint,
            `${reason} after the request was sent; it may have been processed`,
          )
        : new Chat2DeskTransientError(
            call.endpoint,
            `${reason}${written ? '' : ' before the request was sent'}`,
            false,
          );
    };
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const send = this.base.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(
        new URL(call.path, this.base),
        {
          method: call.method,
          agent: this.agent,
          signal: controller.signal,
          headers: {
            Authorization: this.token,
            Accept: 'application/json',
            ...(payload === undefined
              ? {}
              : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
          },
        },
        (response) =>
          readText(response).then(
            (text) => resolve({ status: response.statusCode ?? 0, text }),
            (error: NodeJS.ErrnoException) => reject(failure(error)),
          ),
      );
      request.on('finish', () => (written = true));
      request.on('error', (error: NodeJS.ErrnoException) => reject(failure(error)));
      request.end(payload);
    }).finally(() => clearTimeout(timer));
  }
}

function readText(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.on('aborted', () => reject(Object.assign(new Error('answer cut off'), { code: 'ECONNRESET' })));
  });
}

interface Envelope {
  status?: unknown;
  message?: unknown;
  errors?: unknown;
  data?: unknown;
  meta?: PageMeta;
}

/** Success only with a 2xx AND `status: "success"`; everything else becomes a typed error. */
export function judgeResponse(
  call: HttpCall,
  httpStatus: number,
  text: string,
  token: string,
): SuccessEnvelope {
  const envelope = parseEnvelope(text);
  const nested = envelope && isObject(envelope.data) ? (envelope.data as Envelope) : undefined;
  const failed =
    !envelope ||
    envelope.status !== 'success' ||
    nested?.status === 'error' ||
    httpStatus < 200 ||
    httpStatus >= 300;
  if (!failed) return { data: envelope.data, meta: envelope.meta };
  throw classifyFailure(call, httpStatus, envelope, nested, token);
}

function classifyFailure(
  call: HttpCall,
  httpStatus: number,
  envelope: Envelope | undefined,
  nested: Envelope | undefined,
  token: string,
): Chat2DeskError {
  const endpoint = call.endpoint;
  // Field errors travel in the error's details (and so in API answers): redacted like the message.
  const fieldErrors = Object.fromEntries(
    Object.entries({ ...toFieldErrors(envelope?.errors), ...toFieldErrors(nested?.errors) }).map(
      ([field, texts]) => [field, texts.map((text) => redact(text, token))],
    ),
  );
  const texts = [envelope?.message, nested?.message, ...Object.values(fieldErrors).flat()].filter(
    (text): text is string => typeof text === 'string',
  );
  const message = redact(
    texts.join('; ') || `HTTP ${httpStatus}${envelope ? '' : ' with a body that is not the JSON envelope'}`,
    token,
  );
  const all = message.toLowerCase();
  const status = httpStatus || undefined;
  const isWrite = call.method !== 'GET';

  if (all.includes('number of api requests exceeded'))
    return new Chat2DeskRateLimitedError(endpoint, message, status);
  if (all.includes('exceeded api limit per month'))
    return new Chat2DeskQuotaExhaustedError(endpoint, message, false, status);
  if (/token is not correct|you need to auth|you have to specify your token|api is disabled/.test(all))
    return new Chat2DeskAuthFailedError(endpoint, message, status);
  if (all.includes('already exist'))
    return new Chat2DeskClientAlreadyExistsError(endpoint, message, existingClientId(fieldErrors), status);
  if (endpoint === 'POST /v1/clients' && /disabled|not allowed|not enabled|выключ/.test(all)) {
    return new Chat2DeskClientCreationDisabledError(endpoint, message, fieldErrors, status);
  }
  if (all.includes('page not found') || httpStatus === 404)
    return new Chat2DeskNotFoundError(endpoint, message, status);
  if (httpStatus === 429) return new Chat2DeskRateLimitedError(endpoint, message, status);
  if (httpStatus === 401 || httpStatus === 403)
    return new Chat2DeskAuthFailedError(endpoint, message, status);
  // The server saw the request; for a write, a 5xx does not prove it was not processed.
  if (httpStatus >= 500 || all.includes('internal server error'))
    return new Chat2DeskTransientError(endpoint, message, isWrite, status);
  if (!envelope && httpStatus >= 200 && httpStatus < 300) {
    return isWrite
      ? new Chat2DeskAmbiguousError(endpoint, message)
      : new Chat2DeskTransientError(endpoint, message, false, status);
  }
  return new Chat2DeskValidationError(endpoint, message, fieldErrors, status);
}

function parseEnvelope(text: string): Envelope | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? (parsed as Envelope) : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function toFieldErrors(errors: unknown): Record<string, string[]> {
  if (!isObject(errors)) return {};
  return Object.fromEntries(
    Object.entries(errors).map(([field, value]) => [
      field,
      (Array.isArray(value) ? value : [value]).map(String),
    ]),
  );
}

/** Newer accounts: `errors.client = ["... client already exist ...", "{\"id\": 123}"]`. */
function existingClientId(fieldErrors: Record<string, string[]>): number | undefined {
  for (const text of Object.values(fieldErrors).flat()) {
    const match = /"id"\s*:\s*(\d+)/.exec(text);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** Vendor texts are echoed into errors and logs: make sure the token never rides along. */
export function redact(text: string, token: string): string {
  return token.length >= 4 ? text.split(token).join('***') : text;
}
