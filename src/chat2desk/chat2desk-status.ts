import { Logger } from '@nestjs/common';
import { connect } from 'node:net';
import {
  Chat2DeskAuthFailedError,
  Chat2DeskError,
  Chat2DeskTransientError,
  RequestOutcome,
} from './chat2desk.errors';
import { Chat2DeskClient } from './chat2desk.client';
import { QuotaService } from './quota.service';

/** ok = the last call worked; rejected = the token or the account's API is refused; unreachable = no answer / 5xx. */
export type Chat2DeskState = 'unknown' | 'ok' | 'rejected' | 'unreachable';

export interface Chat2DeskStatusSnapshot {
  state: Chat2DeskState;
  /** Last failure (vendor text, never the token). */
  error?: string;
  checkedAt?: string;
}

/** An unreachable or rejected account is re-checked with one api_info call at most this often. */
const RECHECK_UNREACHABLE_MS = 30_000;
const RECHECK_REJECTED_MS = 10 * 60_000;
const PROBE_CACHE_MS = 1_000;
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Whether Chat2Desk accepts our credentials, kept current by the outcome of every request (no extra
 * calls) plus one api_info check at boot. Dispatch consults it; health shows it.
 */
export class Chat2DeskStatus {
  private readonly logger = new Logger('Chat2Desk');
  private current: Chat2DeskStatusSnapshot = { state: 'unknown' };
  private lastCheckMs = 0;
  private checking?: Promise<Chat2DeskStatusSnapshot>;
  private probe = { atMs: 0, reachable: true };

  constructor(
    private readonly client: Chat2DeskClient,
    private readonly quota: QuotaService,
    private readonly apiUrl: string,
  ) {}

  snapshot(): Chat2DeskStatusSnapshot {
    return { ...this.current };
  }

  /** Called by the RequestGate after every request. */
  observe(outcome: RequestOutcome, error?: unknown): void {
    if (outcome === 'success') return this.set({ state: 'ok' });
    if (error instanceof Chat2DeskAuthFailedError)
      return this.set({ state: 'rejected', error: error.message });
    if (error instanceof Chat2DeskTransientError && !error.mayHaveBeenProcessed)
      return this.set({ state: 'unreachable', error: error.message });
    // Rate limits, quota, validation: the account answered, so the credentials work.
    if (error instanceof Chat2DeskError && outcome !== 'transient' && outcome !== 'ambiguous')
      this.set({ state: 'ok', error: error.message });
  }

  /** One api_info call (single flight); logs one clear line when the token is refused. */
  check(): Promise<Chat2DeskStatusSnapshot> {
    this.checking ??= this.runCheck().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /**
   * For health: a free TCP probe says whether the API is reachable now; an account seen unreachable
   * or rejected is re-checked with api_info, but rarely (each call counts against the quota).
   */
  async refresh(): Promise<Chat2DeskStatusSnapshot> {
    if (!(await this.reachable()))
      return {
        state: 'unreachable',
        error: `cannot connect to ${new URL(this.apiUrl).host}`,
        checkedAt: new Date().toISOString(),
      };
    const sinceCheck = Date.now() - this.lastCheckMs;
    const { state } = this.current;
    if (
      state === 'unknown' ||
      (state === 'unreachable' && sinceCheck > RECHECK_UNREACHABLE_MS) ||
      (state === 'rejected' && sinceCheck > RECHECK_REJECTED_MS)
    ) {
      return this.check();
    }
    return this.snapshot();
  }

  private async runCheck(): Promise<Chat2DeskStatusSnapshot> {
    this.lastCheckMs = Date.now();
    const before = this.current.state;
    try {
      await this.quota.applyApiInfo(await this.client.apiInfoAsModeProbe());
      if (before !== 'ok') this.logger.log(`Chat2Desk accepted the token (${new URL(this.apiUrl).host})`);
    } catch (error) {
      if (error instanceof Chat2DeskAuthFailedError) {
        if (before !== 'rejected')
          this.logger.error(`Chat2Desk rejected CHAT2DESK_TOKEN (${vendorText(error)}) — check the token`);
      } else if (before !== 'unreachable') {
        this.logger.warn(
          `Chat2Desk is not usable right now: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    return this.snapshot();
  }

  private set(snapshot: Chat2DeskStatusSnapshot): void {
    this.current = { ...snapshot, checkedAt: new Date().toISOString() };
  }

  private async reachable(): Promise<boolean> {
    if (Date.now() - this.probe.atMs < PROBE_CACHE_MS) return this.probe.reachable;
    const url = new URL(this.apiUrl);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const reachable = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: url.hostname, port, timeout: PROBE_TIMEOUT_MS });
      const done = (result: boolean) => {
        socket.destroy();
        resolve(result);
      };
      socket.once('connect', () => done(true));
      socket.once('timeout', () => done(false));
      socket.once('error', () => done(false));
    });
    this.probe = { atMs: Date.now(), reachable };
    return reachable;
  }
}

/** "Chat2Desk GET /v1/companies/api_info: Token is not correct" → "Token is not correct". */
function vendorText(error: Chat2DeskError): string {
  return error.message.replace(/^Chat2Desk [A-Z]+ \S+: /, '');
}
