import { Inject, Injectable, Logger } from '@nestjs/common';
import pLimit from 'p-limit';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import { RequestNotAdmittedError } from '../chat2desk/request-gate';
import { Clock } from '../common/clock/clock';
import { AppConfig, APP_CONFIG, DispatchConfig } from '../config/app-config';
import { errorClassOf, errorMessageOf } from '../common/errors/error-text';
import { classifySendFailure } from './attempt-outcome';
import { AdmissionBatcher } from './admission-batcher';
import { BatchLease } from '../database/batch-lease';
import { CampaignStops } from './campaign-stops';
import { MessageReconciler } from './message-reconciler';
import { AttemptResult, ClaimedRecipient, RecipientQueue } from '../recipients/recipient-queue';
import { RATE_LIMITED_RETRY_MS, retryDelayMs } from './retry-policy';
import { WORKER_IDENTITY } from './dispatch.tokens';

export interface BatchReport {
  claimed: number;
  sent: number;
  retried: number;
  released: number;
  failed: number;
  /** Left in `sending` for the lease sweeper: answer lost, or reconciliation impossible right now. */
  leftSending: number;
}

/** Why campaigns must stop after a batch (collected while sending, applied once per batch). */
interface CampaignStopRequests {
  quota: Set<string>;
  credentials: Set<string>;
}

/** What a batch collects besides attempt results: campaigns to stop, rows never admitted or refused. */
interface BatchOutcomes {
  stops: CampaignStopRequests;
  /** Leased rows whose request never started: given back untouched. */
  notAdmitted: ClaimedRecipient[];
  /** Rows the last check refused: skipped (opt-out, frequency cap) or given back. */
  refused: ClaimedRecipient[];
}

/**
 * Claims ready recipients in batches, sends them with bounded concurrency through the gated Chat2Desk
 * client (quota and the shared rate limit are enforced there), and records every result of a batch in
 * one statement. Claim → call → record: the claim is committed before the first request.
 */
@Injectable()
export class Dispatcher {
  private readonly logger = new Logger(Dispatcher.name);
  private readonly settings: DispatchConfig;
  /** One bound for every batch in flight in this process. */
  private readonly concurrency: pLimit.Limit;
  private stopping = false;
  /**
   * How long a request whose answer was lost (timeout, reset) gets to land in Chat2Desk before we look
   * for its message: looking at once could miss a request still being processed, and resend it.
   */
  private readonly answerGraceMs: number;
  private readonly admissions: AdmissionBatcher;
  /** The longest a send may take; a send is started only if the batch lease outlasts it. */
  private readonly requestBudgetMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(WORKER_IDENTITY) readonly owner: string,
    private readonly clock: Clock,
    private readonly client: Chat2DeskClient,
    private readonly queue: RecipientQueue,
    private readonly reconciler: MessageReconciler,
    private readonly stops: CampaignStops,
  ) {
    this.settings = config.dispatch;
    this.answerGraceMs = 2 * config.chat2desk.requestTimeoutMs;
    const leaseMs = config.dispatch.leaseSeconds * 1000;
    // A timeout longer than half the lease would block every send; the lease then bounds it.
    this.requestBudgetMs = Math.min(config.chat2desk.requestTimeoutMs, leaseMs / 2);
    if (config.chat2desk.requestTimeoutMs > leaseMs / 2) {
      this.logger.warn(
        `DISPATCH_LEASE_SECONDS (${config.dispatch.leaseSeconds}) should be more than twice CHAT2DESK_REQUEST_TIMEOUT_MS (${config.chat2desk.requestTimeoutMs} ms): a send still in flight when its lease lapses could be sent again by another instance`,
      );
    }
    this.concurrency = pLimit(config.dispatch.concurrency);
    this.admissions = new AdmissionBatcher(queue, clock, leaseMs);
  }

  /** Claims one batch, sends it, records the results. An empty report means nothing was due. */
  async runOnce(batchSize = this.settings.batchSize): Promise<BatchReport> {
    if (this.stopping) return emptyReport();
    const claimed = await this.queue.claimReady(
      this.owner,
      this.clock.now(),
      this.settings.leaseSeconds * 1000,
      batchSize,
    );
    if (claimed.length === 0) return emptyReport();
    const batch: BatchOutcomes = {
      stops: { quota: new Set(), credentials: new Set() },
      notAdmitted: [],
      refused: [],
    };
    const leaseMs = this.settings.leaseSeconds * 1000;
    const ids = claimed.map((recipient) => recipient.id);
    const lease = new BatchLease(
      () => this.queue.extendLeases(ids, this.owner, leaseMs),
      this.clock,
      leaseMs,
    );
    const outcomes = await Promise.all(
      claimed.map((recipient) => this.concurrency(() => this.attempt(recipient, lease, batch))),
    ).finally(() => lease.end());
    const results = outcomes.filter((result): result is AttemptResult => result !== undefined);
    await this.queue.record(results, this.clock.now(), this.settings.maxAttempts);
    await this.queue.releaseClaims(batch.notAdmitted);
    await this.queue.settleRefused(batch.refused, this.clock.now());
    await this.applyStops(batch.stops);
    return summarize(claimed.length, results, batch);
  }

  /**
   * Reconciles `sending` rows whose lease expired (a killed process, a lost answer): found in
   * Chat2Desk → sent; not found → due again (the attempt counts). Returns how many were settled.
   */
  async sweepExpiredLeases(limit = this.settings.batchSize): Promise<number> {
    const expired = await this.queue.claimExpiredSending(
      this.owner,
      this.clock.now(),
      this.settings.leaseSeconds * 1000,
      limit,
    );
    if (expired.length === 0) return 0;
    const outcomes = await Promise.all(
      expired.map((recipient) => this.concurrency(() => this.reconcile(recipient))),
    );
    const results = outcomes.filter((result): result is AttemptResult => result !== undefined);
    await this.queue.record(results, this.clock.now(), this.settings.maxAttempts);
    return results.length;
  }

  /** Stops claiming; batches in flight finish, and rows they had not started are given back. */
  stop(): void {
    this.stopping = true;
  }

  /** Claims again after stop(). */
  start(): void {
    this.stopping = false;
  }

  /**
   * One send. The row is admitted (moved to `sending` after the last checks, invariant 10)
   * only once its rate-limit slot is granted, right before the request: a pause, a cancel or an
   * opt-out that lands while the batch waits for its turn stops the send.
   */
  private async attempt(
    claimed: ClaimedRecipient,
    lease: BatchLease,
    batch: BatchOutcomes,
  ): Promise<AttemptResult | undefined> {
    // Claimed but never started (shutdown, or a lease that could lapse mid-request): no request was
    // made, so the row goes back untouched.
    if (this.stopping || !lease.allowsRequestOf(this.requestBudgetMs)) {
      batch.notAdmitted.push(claimed);
      return undefined;
    }
    let recipient: ClaimedRecipient | undefined;
    const admit = async () => {
      const admission = await this.admissions.admit(claimed);
      if (admission) recipient = { ...claimed, ...admission };
      return recipient !== undefined;
    };
    try {
      const answer = await this.client.sendMessage(
        {
          clientId: claimed.clientId,
          text: claimed.text,
          type: 'to_client',
          transport: claimed.transport,
          channelId: claimed.channelId,
        },
        { campaignId: claimed.campaignId, kind: 'send', admit },
      );
      // Some accounts answer without message_id (the v1.09 manual): it was sent; find its id in the list.
      const messageId =
        answer.message_id ?? (await this.reconciler.findSentMessage(recipient!).catch(() => null));
      return { kind: 'sent', recipient: recipient!, messageId: messageId ?? null };
    } catch (error) {
      if (recipient) return this.afterFailure(recipient, error, batch.stops);
      // Not admitted: refused by the last check, or stopped before it (quota, credentials, the database).
      if (error instanceof RequestNotAdmittedError) batch.refused.push(claimed);
      else {
        batch.notAdmitted.push(claimed);
        this.noteStop(claimed, error, batch.stops);
      }
      return undefined;
    }
  }

  private noteStop(recipient: ClaimedRecipient, error: unknown, stops: CampaignStopRequests): void {
    const kind = classifySendFailure(error);
    if (kind === 'quota' || kind === 'credentials') stops[kind].add(recipient.campaignId);
    else if (kind === 'unknown') this.logger.error({ err: errorMessageOf(error) }, 'send could not start');
  }

  private async afterFailure(
    recipient: ClaimedRecipient,
    error: unknown,
    stopRequests: CampaignStopRequests,
  ): Promise<AttemptResult | undefined> {
    const now = this.clock.now();
    const errorClass = errorClassOf(error);
    const errorMessage = errorMessageOf(error);
    switch (classifySendFailure(error)) {
      case 'rate_limited':
        return {
          kind: 'release',
          recipient,
          nextAttemptAt: new Date(now.getTime() + RATE_LIMITED_RETRY_MS),
          errorClass,
          errorMessage,
        };
      case 'quota':
        stopRequests.quota.add(recipient.campaignId);
        return { kind: 'release', recipient, nextAttemptAt: now, errorClass, errorMessage };
      case 'credentials':
        stopRequests.credentials.add(recipient.campaignId);
        return { kind: 'release', recipient, nextAttemptAt: now, errorClass, errorMessage };
      case 'permanent':
        return { kind: 'failed', recipient, errorClass, errorMessage };
      case 'not_sent_retry':
        return this.retryLater(recipient, errorClass, errorMessage);
      case 'answer_lost':
        return {
          kind: 'reconcile_later',
          recipient,
          reconcileAt: new Date(now.getTime() + this.answerGraceMs),
          errorClass,
          errorMessage,
        };
      case 'unknown':
        this.logger.error(
          { recipientId: recipient.id, err: error },
          'send failed unexpectedly; the lease sweeper will reconcile it',
        );
        return undefined;
    }
  }

  /**
   * Looks the attempt up in Chat2Desk before anything is resent. When Chat2Desk cannot answer now,
   * the row stays `sending`: its lease expires and the sweeper tries again.
   */
  private async reconcile(
    recipient: ClaimedRecipient,
    cause?: { errorClass: string; errorMessage: string },
  ): Promise<AttemptResult | undefined> {
    try {
      const messageId = await this.reconciler.findSentMessage(recipient);
      if (messageId !== null) return { kind: 'sent', recipient, messageId };
      return this.retryLater(
        recipient,
        cause?.errorClass ?? 'LeaseExpired',
        cause?.errorMessage ??
          'no result was recorded before the lease expired (answer lost or process stopped); the message is not in Chat2Desk',
      );
    } catch (error) {
      this.logger.warn(
        { recipientId: recipient.id, err: errorMessageOf(error) },
        'reconciliation failed; retried after the lease expires',
      );
      return undefined;
    }
  }

  private retryLater(recipient: ClaimedRecipient, errorClass: string, errorMessage: string): AttemptResult {
    const delayMs = retryDelayMs(recipient.attempts, this.settings.retryBaseDelayMs);
    return {
      kind: 'retry',
      recipient,
      nextAttemptAt: new Date(this.clock.nowMs() + delayMs),
      errorClass,
      errorMessage,
    };
  }

  private async applyStops(requests: CampaignStopRequests): Promise<void> {
    for (const campaignId of requests.quota) await this.stops.pauseForQuota(campaignId);
    for (const campaignId of requests.credentials) await this.stops.failForCredentials(campaignId);
  }
}

function emptyReport(): BatchReport {
  return { claimed: 0, sent: 0, retried: 0, released: 0, failed: 0, leftSending: 0 };
}

function summarize(claimed: number, results: AttemptResult[], batch: BatchOutcomes): BatchReport {
  const untouched = batch.notAdmitted.length + batch.refused.length;
  const report = {
    ...emptyReport(),
    claimed,
    released: untouched,
    leftSending: claimed - results.length - untouched,
  };
  for (const result of results) {
    if (result.kind === 'sent') report.sent += 1;
    else if (result.kind === 'retry') report.retried += 1;
    else if (result.kind === 'release') report.released += 1;
    else if (result.kind === 'reconcile_later') report.leftSending += 1;
    else report.failed += 1;
  }
  return report;
}
