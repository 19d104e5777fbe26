import { Injectable, Logger } from '@nestjs/common';
import {
  Chat2DeskAuthFailedError,
  Chat2DeskClientAlreadyExistsError,
  Chat2DeskClientCreationDisabledError,
  Chat2DeskQuotaExhaustedError,
  Chat2DeskValidationError,
} from '../chat2desk/chat2desk.errors';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import { Clock } from '../common/clock/clock';
import { errorClassOf, errorMessageOf } from '../common/errors/error-text';
import { ClientDirectoryStore } from './client-directory.store';
import type { CreationIntent, PhoneKey, ResolutionFailure, ResolvedClient } from './client.types';

/** After "creation disabled", creations are not tried again for this long (support may turn the feature on). */
const CREATION_DISABLED_RECHECK_MS = 10 * 60_000;

export const CREATION_DISABLED_REASON =
  'no Chat2Desk client for this phone, and creating clients is disabled for the account (ask Chat2Desk support to enable it)';

/** The result of resolving one phone. */
export type Resolution =
  | { kind: 'client'; client: ResolvedClient }
  | { kind: 'impossible'; failure: Omit<ResolutionFailure, 'phone'> }
  | { kind: 'later'; error?: string; stop?: 'quota' | 'credentials' };

/** How a phone is resolved: a lookup first (then a creation if missing), or a creation at once. */
export type PhoneStrategy = 'lookup' | 'create';

/**
 * Phone → Chat2Desk client, the one way: used by campaign preparation and by test sends. Every
 * creation is preceded by a committed intent, so whoever later finds the client — this call after a
 * lost answer, a lookup, a sync, another instance — waits the WhatsApp delay from that moment.
 */
@Injectable()
export class ClientResolver {
  private readonly logger = new Logger(ClientResolver.name);
  private creationDisabledAtMs?: number;

  constructor(
    private readonly clock: Clock,
    private readonly client: Chat2DeskClient,
    private readonly directory: ClientDirectoryStore,
  ) {}

  get creationDisabled(): boolean {
    return (
      this.creationDisabledAtMs !== undefined &&
      this.clock.nowMs() - this.creationDisabledAtMs < CREATION_DISABLED_RECHECK_MS
    );
  }

  async resolve(key: PhoneKey, strategy: PhoneStrategy, campaignId?: string): Promise<Resolution> {
    try {
      if (strategy === 'lookup') {
        const found = await this.client.findClientByPhone(key.phone, { campaignId, kind: 'lookup' });
        if (found) return existing(key.phone, found.id);
        if (this.creationDisabled)
          return impossible('failed', CREATION_DISABLED_REASON, 'Chat2DeskClientCreationDisabledError');
      }
      return await this.create(key, campaignId);
    } catch (error) {
      return this.failure(error);
    }
  }

  /**
   * A creation: a new client, or the existing one the account names (or a lookup finds). The intent
   * is recorded once the request's rate-limit slot has come, right before it goes out: recorded
   * before a long wait for the slot, it would start the WhatsApp delay too early.
   */
  private async create(key: PhoneKey, campaignId?: string): Promise<Resolution> {
    let intent: CreationIntent | undefined;
    const recordIntent = async () => {
      intent = await this.directory.recordCreationIntent(key);
    };
    try {
      const created = await this.client.createClient(key.phone, key.transport, key.channelId, {
        campaignId,
        kind: 'create',
        beforeRequest: recordIntent,
      });
      return { kind: 'client', client: { phone: key.phone, clientId: created.id, createdByUs: true } };
    } catch (error) {
      if (!(error instanceof Chat2DeskClientAlreadyExistsError)) throw error;
      if (intent) await this.directory.withdrawCreationIntent(intent);
      if (error.existingClientId !== undefined) return existing(key.phone, error.existingClientId);
      const found = await this.client.findClientByPhone(key.phone, { campaignId, kind: 'lookup' });
      return found ? existing(key.phone, found.id) : { kind: 'later', error: errorMessageOf(error) };
    }
  }

  private failure(error: unknown): Resolution {
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
    this.logger.warn({ err: errorMessageOf(error) }, 'client resolution failed; retried later');
    return { kind: 'later', error: `${errorClassOf(error)}: ${errorMessageOf(error)}` };
  }
}

/** Found by lookup or named by "already exist": its readiness comes from our intents, if any. */
function existing(phone: string, clientId: number): Resolution {
  return { kind: 'client', client: { phone, clientId, createdByUs: false } };
}

function impossible(state: 'failed' | 'skipped', reason: string, errorClass: string): Resolution {
  return { kind: 'impossible', failure: { state, reason, errorClass } };
}
