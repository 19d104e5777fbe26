import { Inject, Injectable, Logger } from '@nestjs/common';
import pLimit from 'p-limit';
import {
  Chat2DeskAuthFailedError,
  Chat2DeskClientAlreadyExistsError,
  Chat2DeskClientCreationDisabledError,
  Chat2DeskQuotaExhaustedError,
  Chat2DeskValidationError,
} from '../chat2desk/chat2desk.errors';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import { Clock } from '../common/clock/clock';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { errorClassOf, errorMessageOf } from './attempt-outcome';
import { CampaignStops } from './campaign-stops';
import {
  chooseResolutionStrategy,
  CLIENT_SYNC_PAGE_SIZE,
  MIN_UNKNOWN_FOR_SYNC,
  ResolutionStrategy,
} from './client-resolution-strategy';
import { WORKER_IDENTITY } from './dispatch.tokens';
import {
  PreparationFailure,
  PreparationQueue,
  ResolvedClient,
  UnresolvedGroup,
  UnresolvedRecipient,
} from './preparation-queue';

/** Cache rows resolved per statement. */
const CACHE_RESOLVE_CHUNK = 5_000;
/** After a full sync, phones still unknown are known to be missing: create them, do not sync again for this long. */
const SYNC_VALID_MS = 60 * 60_000;
/** After "creation disabled", creations are not tried again for this long (support may turn the feature on). */
const CREATION_DISABLED_RECHECK_MS = 10 * 60_000;
/** The account's client count is good enough for choosing a strategy for this long. */
const ACCOUNT_SIZE_VALID_MS = 10 * 60_000;

export const CREATION_DISABLED_REASON =
  'no Chat2Desk client for this phone, and creating clients is disabled for the account (ask Chat2Desk support to enable it)';

export interface PreparationReport {
  fromCache: number;
  resolved: number;
  failed: number;
  strategies: Array<{
    transport: string;
    channelId: number;
    strategy: ResolutionStrategy;
    unknownPhones: number;
  }>;
}

/** The result of resolving one phone. */
type Resolution =
  | { kind: 'client'; client: ResolvedClient }
  | { kind: 'impossible'; failure: Omit<PreparationFailure, 'recipientId'> }
  | { kind: 'later'; stop?: 'quota' | 'credentials' };

/**
 * Maps recipients' phones to Chat2Desk clients before their run sends: the cache first (one
 * statement for thousands of rows), then the cheapest API strategy for the rest. New WhatsApp
 * clients get ready_at = now + the new-client delay; the dispatcher only claims ready ones.
 */
@Injectable()
export class Preparer {
  private readonly logger = new Logger(Preparer.name);
  private readonly lookups: pLimit.Limit;
  private creationDisabledAtMs?: number;
  private readonly syncedAt = new Map<string, number>();
  private accountSize?: { count: number; atMs: number };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_IDENTITY) private readonly owner: string,
    private readonly clock: Clock,
    private readonly client: Chat2DeskClient,
    private readonly queue: PreparationQueue,
    private readonly stops: CampaignStops,
  ) {
    this.lookups = pLimit(config.dispatch.concurrency);
  }

  /** One preparation pass over every preparable run. */
  async runOnce(): Promise<PreparationReport> {
    const report: PreparationReport = { fromCache: 0, resolved: 0, failed: 0, strategies: [] };
    await this.queue.releaseExpiredResolving(this.clock.now());
    report.fromCache += await this.resolveAllFromCache();
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
    if (this.recentlySynced(group)) return this.creationDisabled ? 'lookup' : 'create';
    const delayMs = group.transport === 'whatsapp' ? this.config.whatsappNewClientDelaySeconds * 1000 : 0;
    const accountClients =
      group.unknownPhones >= MIN_UNKNOWN_FOR_SYNC ? await this.accountClientCount() : undefined;
    return chooseResolutionStrategy({
      unknownPhones: group.unknownPhones,
      accountClients,
      creationDisabled: this.creationDisabled,
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

  /** Every client of the account, 200 per page, into the cache for this transport and channel. */
  private async syncAccountClients(group: UnresolvedGroup): Promise<void> {
    const now = this.clock.now();
    for (let offset = 0; ; offset += CLIENT_SYNC_PAGE_SIZE) {
      const page = await this.client.clients({ limit: CLIENT_SYNC_PAGE_SIZE, offset }, { kind: 'lookup' });
      const clients = page.data
        .filter((record) => record.phone)
        .map((record) => ({
          phone: String(record.phone),
          clientId: record.id,
          createdByUs: false,
          readyAt: now,
        }));
      await this.queue.cacheClients(group.transport, group.channelId, clients, now);
      if (page.data.length < CLIENT_SYNC_PAGE_SIZE || offset + CLIENT_SYNC_PAGE_SIZE >= page.meta.total)
        break;
    }
    this.syncedAt.set(groupKey(group), this.clock.nowMs());
  }

  private get creationDisabled(): boolean {
    return (
      this.creationDisabledAtMs !== undefined &&
      this.clock.nowMs() - this.creationDisabledAtMs < CREATION_DISABLED_RECHECK_MS
    );
  }

  private recentlySynced(group: UnresolvedGroup): boolean {
    const at = this.syncedAt.get(groupKey(group));
    return at !== undefined && this.clock.nowMs() - at < SYNC_VALID_MS;
  }

  /** Claims a batch of unknown phones of the group and resolves them concurrently. */
  private async resolveBatch(
    group: UnresolvedGroup,
    strategy: 'lookup' | 'create',
  ): Promise<{ resolved: number; failed: number }> {
    const leaseMs = this.config.dispatch.leaseSeconds * 1000;
    const claimed = await this.queue.claimUnresolved(
      group,
      this.owner,
      this.clock.now(),
      leaseMs,
      this.config.dispatch.batchSize,
    );
    const resolutions = await Promise.all(
      claimed.map((recipient) => this.lookups(() => this.resolvePhone(recipient, group, strategy))),
    );
    const now = this.clock.now();
    const clients: ResolvedClient[] = [];
    const failures: PreparationFailure[] = [];
    const stops = { quota: new Set<string>(), credentials: new Set<string>() };
    resolutions.forEach((resolution, index) => {
      const recipient = claimed[index];
      if (resolution.kind === 'client') clients.push(resolution.client);
      else if (resolution.kind === 'impossible')
        failures.push({ recipientId: recipient.id, ...resolution.failure });
      else if (resolution.stop) stops[resolution.stop].add(recipient.campaignId);
    });
    await this.queue.cacheClients(group.transport, group.channelId, clients, now);
    await this.queue.recordFailures(failures, this.owner, now);
    const failedIds = new Set(failures.map((failure) => failure.recipientId));
    await this.queue.releaseResolving(
      claimed.filter((recipient) => !failedIds.has(recipient.id)).map((recipient) => recipient.id),
      this.owner,
      now,
    );
    for (const campaignId of stops.quota) await this.stops.pauseForQuota(campaignId);
    for (const campaignId of stops.credentials) await this.stops.failForCredentials(campaignId);
    return { resolved: clients.length, failed: failures.length };
  }

  private async resolvePhone(
    recipient: UnresolvedRecipient,
    group: UnresolvedGroup,
    strategy: 'lookup' | 'create',
  ): Promise<Resolution> {
    const context = { campaignId: recipient.campaignId };
    try {
      if (strategy === 'lookup') {
        const found = await this.client.findClientByPhone(recipient.phone, { ...context, kind: 'lookup' });
        if (found) return { kind: 'client', client: this.existingClient(recipient.phone, found.id) };
        if (this.creationDisabled)
          return impossible('failed', CREATION_DISABLED_REASON, 'Chat2DeskClientCreationDisabledError');
      }
      return await this.createClient(recipient, group);
    } catch (error) {
      return this.resolutionFailure(error);
    }
  }

  /** A creation: a new client (WhatsApp waits the delay), or the existing one the account names. */
  private async createClient(recipient: UnresolvedRecipient, group: UnresolvedGroup): Promise<Resolution> {
    try {
      const created = await this.client.createClient(recipient.phone, group.transport, group.channelId, {
        campaignId: recipient.campaignId,
        kind: 'create',
      });
      return { kind: 'client', client: this.newClient(recipient.phone, created.id, group.transport) };
    } catch (error) {
      if (!(error instanceof Chat2DeskClientAlreadyExistsError)) throw error;
      if (error.existingClientId !== undefined)
        return { kind: 'client', client: this.existingClient(recipient.phone, error.existingClientId) };
      const found = await this.client.findClientByPhone(recipient.phone, {
        campaignId: recipient.campaignId,
        kind: 'lookup',
      });
      return found
        ? { kind: 'client', client: this.existingClient(recipient.phone, found.id) }
        : { kind: 'later' };
    }
  }

  private resolutionFailure(error: unknown): Resolution {
    if (error instanceof Chat2DeskClientCreationDisabledError) {
      this.creationDisabledAtMs = this.clock.nowMs();
      return impossible('failed', CREATION_DISABLED_REASON, errorClassOf(error));
    }
    // e.g. "Transport viber is not supported by channel 1": the recipient cannot be reached this way.
    if (error instanceof Chat2DeskValidationError)
      return impossible(
        'skipped',
        `Chat2Desk refused to create the client: ${errorMessageOf(error)}`,
        errorClassOf(error),
      );
    if (error instanceof Chat2DeskQuotaExhaustedError) return { kind: 'later', stop: 'quota' };
    if (error instanceof Chat2DeskAuthFailedError) return { kind: 'later', stop: 'credentials' };
    this.logger.warn({ err: errorMessageOf(error) }, 'client resolution failed; retried on the next pass');
    return { kind: 'later' };
  }

  private existingClient(phone: string, clientId: number): ResolvedClient {
    return { phone, clientId, createdByUs: false, readyAt: this.clock.now() };
  }

  /** Under the manual's upsert an existing client comes back too; waiting the delay is the safe reading. */
  private newClient(phone: string, clientId: number, transport: string): ResolvedClient {
    const delayMs = transport === 'whatsapp' ? this.config.whatsappNewClientDelaySeconds * 1000 : 0;
    return { phone, clientId, createdByUs: true, readyAt: new Date(this.clock.nowMs() + delayMs) };
  }
}

function impossible(state: 'failed' | 'skipped', reason: string, errorClass: string): Resolution {
  return { kind: 'impossible', failure: { state, reason, errorClass } };
}

function groupKey(group: Pick<UnresolvedGroup, 'transport' | 'channelId'>): string {
  return `${group.transport}:${group.channelId}`;
}

function addCounts(
  report: PreparationReport,
  batch: { resolved: number; failed: number },
): Pick<PreparationReport, 'resolved' | 'failed'> {
  return { resolved: report.resolved + batch.resolved, failed: report.failed + batch.failed };
}
