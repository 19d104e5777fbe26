import { Injectable } from '@nestjs/common';
import { RecipientStatusStore, StatusSource } from '../recipients/recipient-status.store';
import { failureReasonFor, normalizeRecipientStatus } from './status-normalizer';

/** One `recipient_status` seen for one Chat2Desk message, by a poll or a webhook. */
export interface StatusObservation {
  messageId: number;
  rawStatus: string | null;
}

/**
 * Turns raw statuses seen by polls and webhooks into recipient transitions: empty values are
 * dropped, the rest normalized, and the store applies them (forward only, replays harmless).
 */
@Injectable()
export class StatusRecorder {
  constructor(private readonly statuses: RecipientStatusStore) {}

  /** Returns how many recipients changed state. */
  async apply(observations: StatusObservation[], source: StatusSource, at: Date): Promise<number> {
    const known = observations.filter(
      (observation): observation is { messageId: number; rawStatus: string } =>
        observation.rawStatus !== null && observation.rawStatus.trim() !== '',
    );
    return this.statuses.recordStatuses(
      known.map((observation) => ({
        messageId: observation.messageId,
        rawStatus: observation.rawStatus,
        outcome: normalizeRecipientStatus(observation.rawStatus),
        failureReason: failureReasonFor(observation.rawStatus),
      })),
      source,
      at,
    );
  }
}
