import { Injectable } from '@nestjs/common';
import { Chat2DeskState, Chat2DeskStatus } from '../chat2desk/chat2desk-status';
import { QuotaService } from '../chat2desk/quota.service';
import { errorMessageOf } from '../common/errors/error-text';
import { HealthStore } from './health.store';

/** Whether this instance should get traffic: its database answers and has every migration applied. */
export interface Readiness {
  ready: boolean;
  database: { ok: boolean; error?: string };
  pendingMigrations: string[];
}

export interface HealthReport {
  /** ok = database up and Chat2Desk accepting our token; anything else = degraded. */
  status: 'ok' | 'degraded';
  database: { ok: boolean; error?: string };
  chat2desk: { ok: boolean; state: Chat2DeskState; error?: string };
  /** Requests of the month; limit/remaining null = unlimited or not known yet. */
  quota: { limit: number | null; used: number | null; remaining: number | null; mode: string | null } | null;
}

/**
 * Health costs no Chat2Desk quota: it reads the status the client keeps from real calls, plus a TCP
 * probe; an api_info call happens only to re-check an account seen unreachable or rejected.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly store: HealthStore,
    private readonly chat2desk: Chat2DeskStatus,
    private readonly quota: QuotaService,
  ) {}

  async report(): Promise<HealthReport> {
    const database = await this.databaseHealth();
    const chat2desk = await this.chat2desk.refresh();
    const quota = database.ok ? await this.quotaHealth() : null;
    const chat2deskOk = chat2desk.state === 'ok';
    return {
      status: database.ok && chat2deskOk ? 'ok' : 'degraded',
      database,
      chat2desk: {
        ok: chat2deskOk,
        state: chat2desk.state,
        ...(chat2deskOk || !chat2desk.error ? {} : { error: chat2desk.error }),
      },
      quota,
    };
  }

  /** One query answers both questions: a database that cannot list its migrations is not reachable. */
  async readiness(): Promise<Readiness> {
    try {
      const pendingMigrations = await this.store.pendingMigrations();
      return { ready: pendingMigrations.length === 0, database: { ok: true }, pendingMigrations };
    } catch (error) {
      return { ready: false, database: { ok: false, error: errorMessageOf(error) }, pendingMigrations: [] };
    }
  }

  private async databaseHealth(): Promise<HealthReport['database']> {
    try {
      await this.store.ping();
      return { ok: true };
    } catch (error) {
      return { ok: false, error: errorMessageOf(error) };
    }
  }

  private async quotaHealth(): Promise<HealthReport['quota']> {
    const status = await this.quota.status();
    return { limit: status.limit, used: status.usedLocal, remaining: status.remaining, mode: status.mode };
  }
}
