import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock/clock';
import { Chat2DeskConfig } from '../../src/config/app-config';
import { RunningSandbox } from '../../src/sandbox/sandbox-server';
import { Chat2DeskStack, createChat2DeskStack } from '../../src/chat2desk/chat2desk.stack';
import { GateSettings } from '../../src/chat2desk/request-gate';
import { Sql } from '../../src/database/sql';

export interface StackOptions {
  config?: Partial<Chat2DeskConfig>;
  gate?: Partial<GateSettings>;
  clock?: Clock;
  sql?: Sql;
}

/** A client stack (as one app instance would have) pointed at a sandbox; for this module's specs. */
export function stackFor(
  sandbox: RunningSandbox,
  dataSource: DataSource,
  options: StackOptions = {},
): Chat2DeskStack {
  return createChat2DeskStack({
    config: {
      apiUrl: sandbox.url,
      token: sandbox.token,
      rateLimitPerSecond: 1_000,
      monthlyQuota: 1_000_000,
      quotaReserve: 0,
      requestTimeoutMs: 2_000,
      quotaRecheckIntervalMs: 60_000,
      ...options.config,
    },
    dataSource,
    sql: options.sql,
    clock: options.clock,
    gate: { rateLimitRetries: 0, ...options.gate },
  });
}

/**
 * The stacks one spec opens: `open` makes one with `stackFor` on the spec's current sandbox and
 * database (read when called, so they may be set in beforeAll), `closeAll` closes them (in afterEach).
 */
export function stackPool(target: () => { sandbox: RunningSandbox; dataSource: DataSource }): {
  open: (options?: StackOptions) => Chat2DeskStack;
  closeAll: () => Promise<void>;
} {
  const opened: Chat2DeskStack[] = [];
  return {
    open: (options) => {
      const { sandbox, dataSource } = target();
      const created = stackFor(sandbox, dataSource, options);
      opened.push(created);
      return created;
    },
    closeAll: async () => {
      for (const created of opened.splice(0)) await created.close();
    },
  };
}
