import {
  Chat2DeskQuotaExhaustedError,
  Chat2DeskRateLimitedError,
  outcomeOf,
  RequestOutcome,
} from './chat2desk.errors';
import { RequestContext, RequestKind } from './chat2desk.types';
import { QuotaService } from './quota.service';
import { RequestLedger } from './request-ledger';
import { SharedRateLimiter } from './shared-rate-limiter';

export interface GateSettings {
  /** Retries of a request answered "Number of API requests exceeded", transparently. */
  rateLimitRetries: number;
  /** First backoff after a 429 (doubles per retry); pushes the shared slot for every instance. */
  rateLimitBackoffMs: number;
}

export const DEFAULT_GATE_SETTINGS: GateSettings = { rateLimitRetries: 3, rateLimitBackoffMs: 1_000 };

export interface GatedRequest {
  endpoint: string;
  kind: RequestKind;
  context: RequestContext;
  /** The api_info call that learns the account's limit may go before the limit is known. */
  isModeProbe?: boolean;
}

/** The request's `admit` check refused it at the last moment: nothing was sent, no quota spent. */
export class RequestNotAdmittedError extends Error {
  constructor() {
    super('the request was no longer admitted when its turn came; nothing was sent');
    this.name = 'RequestNotAdmittedError';
  }
}

/** Told about every request's outcome (Chat2DeskStatus uses it to stay current without extra calls). */
export type OutcomeObserver = (outcome: RequestOutcome, endpoint: string, error?: unknown) => void;

/** Told how long each request waited for its rate-limit slot (metrics). */
export type WaitObserver = (seconds: number) => void;

/**
 * The one door every request goes through, because every request counts against the account:
 * monthly quota reserved in Postgres, a slot of the shared rate limit, then the call, then the ledger.
 */
export class RequestGate {
  private readonly observers: OutcomeObserver[] = [];
  private readonly waitObservers: WaitObserver[] = [];

  constructor(
    private readonly quota: QuotaService,
    private readonly rateLimiter: SharedRateLimiter,
    private readonly ledger: RequestLedger,
    private readonly settings: GateSettings = DEFAULT_GATE_SETTINGS,
  ) {}

  onOutcome(observer: OutcomeObserver): void {
    this.observers.push(observer);
  }

  onRateLimitWait(observer: WaitObserver): void {
    this.waitObservers.push(observer);
  }

  async run<T>(request: GatedRequest, call: () => Promise<T>): Promise<T> {
    const { admit } = request.context;
    let admitted = admit === undefined;
    const admitOnSlot = async () => {
      if (!(await admit!())) throw new RequestNotAdmittedError();
      admitted = true;
    };
    for (let attempt = 0; ; attempt += 1) {
      await this.quota.reserve(1, request.context, request.isModeProbe);
      const waitStartedMs = Date.now();
      try {
        await this.rateLimiter.acquire(admitted ? undefined : admitOnSlot);
        await request.context.beforeRequest?.();
      } catch (error) {
        this.quota.returnUnused(1);
        throw error;
      }
      for (const observer of this.waitObservers) observer((Date.now() - waitStartedMs) / 1000);
      try {
        const result = await call();
        this.record(request, 'success');
        return result;
      } catch (error) {
        this.record(request, outcomeOf(error), error);
        if (error instanceof Chat2DeskQuotaExhaustedError && !error.refusedLocally)
          await this.quota.recordServiceExhausted();
        if (!(error instanceof Chat2DeskRateLimitedError) || attempt >= this.settings.rateLimitRetries)
          throw error;
        await this.rateLimiter.pushBack(this.settings.rateLimitBackoffMs * 2 ** attempt);
      }
    }
  }

  private record(request: GatedRequest, outcome: RequestOutcome, error?: unknown): void {
    this.ledger.record({
      endpoint: request.endpoint,
      kind: request.kind,
      outcome,
      campaignId: request.context.campaignId,
    });
    for (const observer of this.observers) observer(outcome, request.endpoint, error);
  }
}
