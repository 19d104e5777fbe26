import { SandboxMode } from './sandbox-fixtures';

/** What `POST /v1/clients` does for a phone: the manual's upsert, the newer error, or the feature off. */
export type ClientCreationBehaviour = 'upsert' | 'already-exists' | 'disabled';

/** Probabilities (0..1) of each fault on one route. */
export interface RouteFaults {
  /** Answer 500 without processing. */
  error500Before?: number;
  /** Process, then answer 500 (a send did happen). */
  error500After?: number;
  /** Process, then answer only after `slowAfterMs` (longer than the client's timeout = ambiguous). */
  slowAfterProbability?: number;
  slowAfterMs?: number;
  /** Process, then destroy the connection without an answer. */
  resetAfter?: number;
}

/** Keys are `METHOD /path` with `:id` placeholders (e.g. `POST /v1/messages`) or `*` for every route. */
export type FaultPlan = Record<string, RouteFaults>;

/** How `to_client` messages progress: sent → delivered → read, or sent → failed. */
export interface StatusProgression {
  deliveredAfterMs: number;
  readAfterMs: number;
  /** Share of messages that fail instead of being delivered. */
  failRate: number;
  /** Share of delivered messages that are also read. */
  readRate: number;
}

/** Settings that can change while the sandbox runs (PATCH /__sandbox/config). */
export interface SandboxRuntimeConfig {
  mode: SandboxMode;
  /** Overrides the mode's monthly limit; null = back to the mode's. */
  monthlyLimit?: number | null;
  /** Requests per calendar second before 429; 0 = no limit. */
  rateLimitPerSecond: number;
  whatsappNewClientDelaySeconds: number;
  clientCreation: ClientCreationBehaviour;
  /** Errors answered with HTTP 200 + `status: "error"`, as the live service sometimes does. */
  errorsWithHttp200: boolean;
  /** Errors wrapped as `{status: "error", data: {message|errors}}`. */
  errorsNestedInData: boolean;
  /** `api_info` omits `requests_this_month`, as newer accounts do. */
  omitRequestsThisMonth: boolean;
  /** `POST /v1/messages` answers without `message_id`, as the v1.09 manual shows. */
  omitMessageId: boolean;
  /** `limit` above 200: clamp to 200 (default) or answer a validation error. */
  oversizeLimit: 'clamp' | 'error';
  latencyMs: number;
  faults: FaultPlan;
  statuses: StatusProgression;
}

export interface SandboxOptions extends Partial<SandboxRuntimeConfig> {
  /** 0 = a free port. */
  port?: number;
  host?: string;
  /** Default: random. */
  token?: string;
  /** Seed of faults and message fates. */
  seed?: number;
  /** Milliseconds since epoch; tests pass a fake to run the WhatsApp delay in no time. */
  now?: () => number;
  /**
   * Sign webhook calls: the HMAC-SHA256 of the body (hex) in `header`, as the app checks it with
   * CHAT2DESK_WEBHOOK_SECRET. Unset = unsigned (the app then refuses them).
   */
  webhookSigning?: { secret: string; header: string };
}

export const DEFAULT_RUNTIME_CONFIG: SandboxRuntimeConfig = {
  mode: 'normal',
  rateLimitPerSecond: 100,
  whatsappNewClientDelaySeconds: 420,
  clientCreation: 'upsert',
  errorsWithHttp200: false,
  errorsNestedInData: false,
  omitRequestsThisMonth: false,
  omitMessageId: false,
  oversizeLimit: 'clamp',
  latencyMs: 0,
  faults: {},
  statuses: { deliveredAfterMs: 2_000, readAfterMs: 10_000, failRate: 0.05, readRate: 0.5 },
};

export const MAX_PAGE_LIMIT = 200;
export const DEFAULT_PAGE_LIMIT = 20;
