import { DataSource } from 'typeorm';
import { Clock, SystemClock } from '../common/clock/clock';
import { Chat2DeskConfig } from '../config/app-config';
import { Chat2DeskClient } from './chat2desk.client';
import { Chat2DeskHttp } from './chat2desk-http';
import { Chat2DeskStatus } from './chat2desk-status';
import { QuotaService } from './quota.service';
import { DEFAULT_GATE_SETTINGS, GateSettings, RequestGate } from './request-gate';
import { RequestLedger } from './request-ledger';
import { SharedRateLimiter } from './shared-rate-limiter';
import { Sql, sqlFrom } from '../database/sql';

/** Everything that talks to Chat2Desk, wired once; the Nest module and scripts both use this. */
export interface Chat2DeskStack {
  client: Chat2DeskClient;
  quota: QuotaService;
  ledger: RequestLedger;
  status: Chat2DeskStatus;
  gate: RequestGate;
  /** Flushes the ledger, gives back unused quota, closes connections. */
  close(): Promise<void>;
}

export interface Chat2DeskStackOptions {
  config: Chat2DeskConfig;
  /** A migrated database (the quota, rate-limit and ledger tables live there). */
  dataSource: DataSource;
  /** Statement runner on that database (default: the DataSource's pool); tests count statements with it. */
  sql?: Sql;
  clock?: Clock;
  gate?: Partial<GateSettings>;
}

export function createChat2DeskStack(options: Chat2DeskStackOptions): Chat2DeskStack {
  const { config, dataSource } = options;
  if (!config.token)
    throw new Error('Chat2Desk client needs CHAT2DESK_TOKEN (or the sandbox started by provisionRuntime)');
  const clock = options.clock ?? new SystemClock();
  const sql = options.sql ?? sqlFrom(dataSource);
  const quota = new QuotaService(
    sql,
    {
      monthlyQuota: config.monthlyQuota,
      reserve: config.quotaReserve,
      rateLimitPerSecond: config.rateLimitPerSecond,
    },
    clock,
  );
  const ledger = new RequestLedger(sql, clock);
  const gate = new RequestGate(quota, new SharedRateLimiter(sql, config.rateLimitPerSecond), ledger, {
    ...DEFAULT_GATE_SETTINGS,
    ...options.gate,
  });
  const http = new Chat2DeskHttp(config.apiUrl, config.token, config.requestTimeoutMs);
  const client = new Chat2DeskClient(http, gate);
  const status = new Chat2DeskStatus(client, quota, config.apiUrl);
  gate.onOutcome((outcome, _endpoint, error) => status.observe(outcome, error));
  quota.useModeLoader(() => client.apiInfoAsModeProbe());
  return {
    client,
    quota,
    ledger,
    status,
    gate,
    close: async () => {
      await ledger.close();
      await quota.release();
      http.close();
    },
  };
}
