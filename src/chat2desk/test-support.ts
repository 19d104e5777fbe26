import { DataSource } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { Chat2DeskConfig } from '../config/app-config';
import { RunningSandbox } from '../sandbox/sandbox-server';
import { Chat2DeskStack, createChat2DeskStack } from './chat2desk.stack';
import { GateSettings } from './request-gate';
import { Sql } from './sql';

/** A client stack (as one app instance would have) pointed at a sandbox; for this module's specs. */
export function stackFor(
  sandbox: RunningSandbox,
  dataSource: DataSource,
  options: { config?: Partial<Chat2DeskConfig>; gate?: Partial<GateSettings>; clock?: Clock; sql?: Sql } = {},
): Chat2DeskStack {
  return createChat2DeskStack({
    config: {
      apiUrl: sandbox.url,
      token: sandbox.token,
      rateLimitPerSecond: 1_000,
      monthlyQuota: 1_000_000,
      quotaReserve: 0,
      requestTimeoutMs: 2_000,
      ...options.config,
    },
    dataSource,
    sql: options.sql,
    clock: options.clock,
    gate: { rateLimitRetries: 0, ...options.gate },
  });
}
