import { Inject, Injectable, Logger } from '@nestjs/common';
import pLimit from 'p-limit';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import { Chat2DeskAuthFailedError, Chat2DeskQuotaExhaustedError } from '../chat2desk/chat2desk.errors';
import { Clock } from '../common/clock/clock';
import type { Transport } from '../common/domain';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { errorMessageOf } from '../common/errors/error-text';
import { BatchLease } from '../database/batch-lease';
import { CampaignStops } from './campaign-stops';
import { ClientDirectoryStore } from '../clients/client-directory.store';
import { ClientReadiness } from '../clients/client-readiness';
import {
  chooseResolutionStrategy,
  CLIENT_SYNC_PAGE_SIZE,
  MIN_UNKNOWN_FOR_SYNC,
  ResolutionStrategy,
} from '../clients/client-resolution-strategy';
import { ClientResolver, PhoneStrategy, Resolution } from '../clients/client-resolver';
import type { PhoneKey, ResolutionFailure, ResolvedClient } from '../clients/client.types';
import { PreparationQueue, UnresolvedGroup } from '../recipients/preparation-queue';
import { WORKER_IDENTITY } from './dispatch.tokens';

/** Cache rows resolved per statement. */
const CACHE_RESOLVE_CHUNK = 5_000;
/** After a full sync, phones still unknown are known to be missing: create them, do not sync again for this long. */
const SYNC_VALID_MS = 60 * 60_000;
/** The account's client count is good enough for choosing a strategy for this long. */
const ACCOUNT_SIZE_VALID_MS = 10 * 60_000;
/** A lookup, then a creation, then a lookup after "already exist": the most one phone may take. */
const REQUESTS_PER_PHONE = 3;

export interface PreparationReport {
  fromCache: number;
  resolved: number;
  failed: number;
  strategies: Array<{
    transport: Transport;
    channelId: number;
    strategy: ResolutionStrategy;
    unknownPhones: number;
  }>;
}

/**
 * Maps recipients' phones to Chat2Desk clients before their run sends: the cache first (one
 * statement for thousands of rows), then the cheapest API strategy for the distinct unknown phones,
 * each resolved once whatever number of campaigns want it. The dispatcher only claims recipients
 * whose client is ready (the WhatsApp delay is data, on the database's clock).
 */
@Injectable()
export class Preparer {
  private readonly logger = new Logger(Preparer.name);
  private readonly lookups: pLimit.Limit;
  private accountSize?: { count: number; atMs: number };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_IDENTITY) private readonly owner: string,
    private readonly clock: Clock,
    private readonly client: Chat2DeskClient,
    private readonly queue: PreparationQueue,
    private readonly directory: ClientDirectoryStore,
    private readonly readiness: ClientReadiness,
    private readonly resolver: ClientResolver,
    private readonly stops: CampaignStops,
  ) {
    this.lookups = pLimit(config.dispatch.concurrency);
  }

  /** One preparation pass over every preparable run. */
  async runOnce(): Promise<PreparationReport> {
    const report: PreparationReport = { fromCache: 0, resolved: 0, failed: 0, strategies: [] };
    await this.queue.promoteReadyClients(this.clock.now());
    report.fromCache += await this.resolveAllFromCache();
    await this.queue.enqueueUnknownPhones();
    for (const group of await this.queue.unresolvedGroups()) {
      const strategy = await this.strategyFor(group);
      report.strategies.push({
        transport: group.transport,
        channelId: group.channelId,
        strategy,
        unknownPhones: group.unknownPhones,
      });
      if (strategy === 'sync') await this.syncAccountClients(group);
      else Object.assign(report, addCounts(report, await this.resolveBatch(group, strategy)));
    }
    report.fromCache += await this.resolveAllFromCache();
    return report;
  }

  private async resolveAllFromCache(): Promise<number> {
    let total = 0;
    for (;;) {
      const resolved = await this.queue.resolveFromCache(this.clock.now(), CACHE_RESOLVE_CHUNK);
      total += resolved;
      if (resolved < CACHE_RESOLVE_CHUNK) return total;
    }
  }

  private async strategyFor(group: UnresolvedGroup): Promise<ResolutionStrategy> {
    const creationDisabled = this.resolver.creationDisabled;
    if (await this.directory.recentlySynced(group.transport, group.channelId, SYNC_VALID_MS))
      return creationDisabled ? 'lookup' : 'create';
    const delayMs = this.readiness.waitAfterCreationMs(group.transport);
    const accountClients =
      group.unknownPhones >= MIN_UNKNOWN_FOR_SYNC ? await this.accountClientCount() : undefined;
    return chooseResolutionStrategy({
      unknownPhones: group.unknownPhones,
      accountClients,
      creationDisabled,
      directCreationKeepsSchedule: group.earliestOccurrenceAt.getTime() >= this.clock.nowMs() + delayMs,
    });
  }

  /** The account's client count, asked at most once per ACCOUNT_SIZE_VALID_MS (it costs a request). */
  private async accountClientCount(): Promise<number | undefined> {
    const nowMs = this.clock.nowMs();
    if (this.accountSize && nowMs - this.accountSize.atMs < ACCOUNT_SIZE_VALID_MS)
      return this.accountSize.count;
    try {
      const count = (await this.client.clients({ limit: 1 }, { kind: 'lookup' })).meta.total;
      this.accountSize = { count, atMs: nowMs };
      return count;
    } catch {
      return undefined;
    }
  }

  /**
   * Every client of the account, 200 per page, into the cache for this transport and channel. One job
   * in the database: the instance holding it resumes from the page reached; the others skip it.
   * Its requests are the campaign's traffic: they may not use the quota reserve.
   */
  private async syncAccountClients(group: UnresolvedGroup): Promise<void> {
    const { transport, channelId } = group;
    const leaseMs = this.config.dispatch.leaseSeconds * 1000;
    let offset = await this.directory.claimSyncJob(transport, channelId, this.owner, leaseMs, SYNC_VALID_MS);
    if (offset === undefined) return;
    try {
      for (;;) {
        const page = await this.client.clients(
          { limit: CLIENT_SYNC_PAGE_SIZE, offset },
          { campaignId: group.campaignId, kind: 'lookup' },
        );
        const clients: ResolvedClient[] = page.data
          .filter((record) => record.phone)
          .map((record) => ({ phone: String(record.phone), clientId: record.id, createdByUs: false }));
        await this.directory.cacheClients(transport, channelId, clients);
        offset += CLIENT_SYNC_PAGE_SIZE;
        if (page.data.length < CLIENT_SYNC_PAGE_SIZE || offset >= page.meta.total) break;
        const held = await this.directory.advanceSyncJob(
          transport,
          channelId,
          this.owner,
          offset,
          page.meta.total,
          leaseMs,
        );
        if (!held) return;
      }
      await this.directory.finishSyncJob(transport, channelId, this.owner);
    } catch (error) {
      await this.directory.releaseSyncJob(transport, channelId, this.owner);
      await this.stopCampaignsIfNeeded(group, this.resolverStop(error));
      this.logger.warn({ err: errorMessageOf(error), offset }, 'client sync stopped; resumed later');
    }
  }

  /** Claims a batch of distinct unknown phones of the group and resolves them concurrently. */
  private async resolveBatch(
    group: UnresolvedGroup,
    strategy: PhoneStrategy,
  ): Promise<{ resolved: number; failed: number }> {
    const leaseMs = this.config.dispatch.leaseSeconds * 1000;
    const keys = await this.directory.claimResolutions(
      group,
      this.owner,
      leaseMs,
      this.config.dispatch.batchSize,
    );
    if (keys.length === 0) return { resolved: 0, failed: 0 };
    const lease = new BatchLease(
      () => this.directory.renewResolutionLeases(keys, this.owner, leaseMs),
      this.clock,
      leaseMs,
    );
    const requestBudgetMs = REQUESTS_PER_PHONE * this.config.chat2desk.requestTimeoutMs;
    const resolutions = await Promise.all(
      keys.map((key) =>
        this.lookups(() =>
          lease.allowsRequestOf(requestBudgetMs)
            ? this.resolver.resolve(key, strategy, group.campaignId)
            : Promise.resolve<Resolution>({ kind: 'later' }),
        ),
      ),
    ).finally(() => lease.end());
    return this.recordResolutions(group, keys, resolutions);
  }

  /** One failing phone never holds back the others: each outcome is recorded on its own terms. */
  private async recordResolutions(
    group: UnresolvedGroup,
    keys: PhoneKey[],
    resolutions: Resolution[],
  ): Promise<{ resolved: number; failed: number }> {
    const clients: ResolvedClient[] = [];
    const failures: ResolutionFailure[] = [];
    const released: Array<{ key: PhoneKey; error?: string }> = [];
    let stop: 'quota' | 'credentials' | undefined;
    resolutions.forEach((resolution, index) => {
      const key = keys[index];
      if (resolution.kind === 'client') clients.push(resolution.client);
      else if (resolution.kind === 'impossible') failures.push({ phone: key.phone, ...resolution.failure });
      else {
        released.push({ key, error: resolution.error });
        stop ??= resolution.stop;
      }
    });
    await this.directory.cacheClients(group.transport, group.channelId, clients);
    await this.queue.recordFailures(group.transport, group.channelId, failures, this.clock.now());
    // A phone whose resolution failed for a passing reason backs off like a send (doubling, ≤ 5 min).
    await this.directory.releaseResolutions(released, this.owner, this.config.dispatch.retryBaseDelayMs);
    await this.stopCampaignsIfNeeded(group, stop);
    return { resolved: clients.length, failed: failures.length };
  }

  private resolverStop(error: unknown): 'quota' | 'credentials' | undefined {
    if (error instanceof Chat2DeskQuotaExhaustedError) return 'quota';
    if (error instanceof Chat2DeskAuthFailedError) return 'credentials';
    return undefined;
  }

  private async stopCampaignsIfNeeded(group: UnresolvedGroup, stop?: 'quota' | 'credentials'): Promise<void> {
    if (!stop) return;
    for (const campaignId of await this.queue.campaignsWaitingFor(group.transport, group.channelId)) {
      if (stop === 'quota') await this.stops.pauseForQuota(campaignId);
      else await this.stops.failForCredentials(campaignId);
    }
  }
}

function addCounts(
  report: PreparationReport,
  batch: { resolved: number; failed: number },
): Pick<PreparationReport, 'resolved' | 'failed'> {
  return { resolved: report.resolved + batch.resolved, failed: report.failed + batch.failed };
}
