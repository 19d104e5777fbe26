import { resolve } from 'node:path';
import { EnvReader } from './env-reader';

export const APP_CONFIG = Symbol('APP_CONFIG');

export const DEFAULT_CHAT2DESK_API_URL = 'https://api.chat2desk.com';

export interface Chat2DeskConfig {
  /** Base URL of the Chat2Desk API (or of the sandbox). */
  apiUrl: string;
  /** Raw API token; undefined means "start and use the built-in sandbox". */
  token?: string;
  rateLimitPerSecond: number;
  /** Overrides the monthly request limit of the account's API mode. */
  monthlyQuota?: number;
  /** Requests kept back from campaigns for people working in Chat2Desk by hand. */
  quotaReserve: number;
  requestTimeoutMs: number;
  /** While a campaign is paused for quota, api_info is re-read at most this often (all instances together). */
  quotaRecheckIntervalMs: number;
}

export interface DispatchConfig {
  batchSize: number;
  concurrency: number;
  leaseSeconds: number;
  maxAttempts: number;
  retryBaseDelayMs: number;
  pollIntervalMs: number;
  /** Preparation of a scheduled run starts this long before the WhatsApp delay would need. */
  preparationMarginSeconds: number;
}

export interface ImportConfig {
  /** Largest accepted upload. */
  maxBytes: number;
  /** Imports one instance runs at once; each holds one pooled connection for its whole transaction. */
  concurrency: number;
  /** A running import's lease: after a crash, another instance resumes the job once it lapses. */
  leaseMs: number;
  /** How often an instance looks for queued or orphaned imports. */
  pollIntervalMs: number;
}

export interface TrackingConfig {
  pollIntervalMs: number;
  /** A sent message without a final status after this long becomes `unknown`. */
  deadlineHours: number;
}

/** Which work this process does; several processes may share one database (docs/operations.md). */
export const INSTANCE_ROLES = ['all', 'api', 'worker'] as const;
export type InstanceRole = (typeof INSTANCE_ROLES)[number];

/** Express's `trust proxy` setting: false, true, a hop count, or addresses/subnets (comma-separated). */
export type TrustProxy = boolean | number | string;

export interface AppConfig {
  port: number;
  /** `api`: HTTP, no loops; `worker`: loops, HTTP only for /health and /metrics; `all`: both. */
  instanceRole: InstanceRole;
  trustProxy: TrustProxy;
  /** Connections this process may open to PostgreSQL. */
  databasePoolSize: number;
  /** Undefined means "start an embedded PostgreSQL under dataDir". */
  databaseUrl?: string;
  /** Where embedded Postgres data and the generated API key are kept. */
  dataDir: string;
  /** Undefined at boot means "generate one, store it under dataDir and print it once". */
  apiKey?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  chat2desk: Chat2DeskConfig;
  whatsappNewClientDelaySeconds: number;
  /** Added to the WhatsApp delay: clocks and Chat2Desk's own processing are never exact. */
  whatsappSafetyMarginSeconds: number;
  imports: ImportConfig;
  dispatch: DispatchConfig;
  tracking: TrackingConfig;
  webhookSecret?: string;
  /** Header carrying the webhook's HMAC, lower-cased as Node exposes headers. */
  webhookSignatureHeader: string;
  stopWords: string[];
  /** Port of the in-process sandbox when CHAT2DESK_TOKEN is unset (0 = any free port). */
  sandboxPort: number;
  /**
   * Whether the loops (scheduler, dispatch, tracking, checks) run in this process: SCHEDULER_ENABLED
   * and not an `api` instance. Tests and the CLI turn it off and drive the services directly.
   */
  schedulerEnabled: boolean;
  /** How often the consistency check (stranded recipients) runs; 0 = never (the `doctor` command still works). */
  consistencyCheckIntervalMs: number;
  /**
   * How often the database-wide gauges of /metrics (recipients by state, quota remaining) are
   * recomputed into `metric_snapshots`, by one instance at a time; scrapes only read the snapshot.
   */
  metricsSnapshotIntervalMs: number;
  /** How often the rows that keep each list's contact counts are folded into one per list. */
  listCountsCompactionIntervalMs: number;
}

export const DEFAULT_STOP_WORDS = ['STOP', 'СТОП', 'ОТПИСАТЬСЯ', 'ОТПИСКА', 'UNSUBSCRIBE'];

/** Builds the configuration from the environment; throws a ConfigurationError naming every bad variable. */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const read = new EnvReader(env);
  const instanceRole = read.oneOf('INSTANCE_ROLE', INSTANCE_ROLES, 'all');
  const databasePoolSize = read.int('DATABASE_POOL_SIZE', 20, 2, 1_000);
  // Imports hold a connection for their whole transaction: at most half the pool, so HTTP and the
  // other loops always find connections (and an import's progress writes never wait on itself).
  const maxImportConcurrency = Math.floor(databasePoolSize / 2);
  const config: AppConfig = {
    port: read.int('PORT', 3000, 0, 65535),
    instanceRole,
    trustProxy: parseTrustProxy(read.string('TRUST_PROXY')),
    databasePoolSize,
    databaseUrl: read.url('DATABASE_URL', ['postgres', 'postgresql']),
    dataDir: resolve(read.string('DATA_DIR', '.data')!),
    apiKey: read.string('API_KEY'),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    chat2desk: {
      apiUrl: read.url('CHAT2DESK_API_URL', ['http', 'https'], DEFAULT_CHAT2DESK_API_URL)!,
      token: read.string('CHAT2DESK_TOKEN'),
      rateLimitPerSecond: read.int('CHAT2DESK_RATE_LIMIT_PER_SECOND', 5, 1, 10_000),
      monthlyQuota: read.optionalInt('CHAT2DESK_MONTHLY_QUOTA', 0),
      quotaReserve: read.int('CHAT2DESK_QUOTA_RESERVE', 50, 0),
      requestTimeoutMs: read.int('CHAT2DESK_REQUEST_TIMEOUT_MS', 15_000, 100, 600_000),
      quotaRecheckIntervalMs: read.int('CHAT2DESK_QUOTA_RECHECK_INTERVAL_MS', 60_000, 1_000, 86_400_000),
    },
    whatsappNewClientDelaySeconds: read.int('WHATSAPP_NEW_CLIENT_DELAY_SECONDS', 420, 0, 86_400),
    whatsappSafetyMarginSeconds: read.int('WHATSAPP_SAFETY_MARGIN_SECONDS', 5, 0, 3_600),
    imports: {
      maxBytes: read.int('IMPORT_MAX_FILE_MB', 200, 1, 10_240) * 1024 * 1024,
      concurrency: read.int('IMPORT_CONCURRENCY', Math.min(2, maxImportConcurrency), 1, maxImportConcurrency),
      leaseMs: read.int('IMPORT_LEASE_SECONDS', 30, 3, 3_600) * 1000,
      pollIntervalMs: read.int('IMPORT_POLL_INTERVAL_MS', 1_000, 50, 600_000),
    },
    dispatch: {
      batchSize: read.int('DISPATCH_BATCH_SIZE', 100, 1, 10_000),
      concurrency: read.int('DISPATCH_CONCURRENCY', 8, 1, 256),
      leaseSeconds: read.int('DISPATCH_LEASE_SECONDS', 60, 5, 3_600),
      maxAttempts: read.int('DISPATCH_MAX_ATTEMPTS', 5, 1, 100),
      retryBaseDelayMs: read.int('DISPATCH_RETRY_BASE_DELAY_MS', 2_000, 10, 3_600_000),
      pollIntervalMs: read.int('DISPATCH_POLL_INTERVAL_MS', 1_000, 50, 600_000),
      preparationMarginSeconds: read.int('DISPATCH_PREPARATION_MARGIN_SECONDS', 120, 0, 86_400),
    },
    tracking: {
      pollIntervalMs: read.int('TRACKING_POLL_INTERVAL_MS', 15_000, 100, 3_600_000),
      deadlineHours: read.int('TRACKING_DEADLINE_HOURS', 72, 1, 24 * 60),
    },
    webhookSecret: read.string('CHAT2DESK_WEBHOOK_SECRET'),
    webhookSignatureHeader: read.string('CHAT2DESK_WEBHOOK_SIGNATURE_HEADER', 'X-Signature')!.toLowerCase(),
    stopWords: read.list('STOP_WORDS', DEFAULT_STOP_WORDS).map((word) => word.toUpperCase()),
    sandboxPort: read.int('SANDBOX_PORT', 0, 0, 65535),
    schedulerEnabled: read.bool('SCHEDULER_ENABLED', true) && instanceRole !== 'api',
    consistencyCheckIntervalMs: read.int('CONSISTENCY_CHECK_INTERVAL_MS', 300_000, 0, 86_400_000),
    metricsSnapshotIntervalMs: read.int('METRICS_SNAPSHOT_INTERVAL_MS', 15_000, 1_000, 3_600_000),
    listCountsCompactionIntervalMs: read.int('LIST_COUNTS_COMPACTION_INTERVAL_MS', 30_000, 1_000, 86_400_000),
  };
  read.assertValid();
  return config;
}

function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}
