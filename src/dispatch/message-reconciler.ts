import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import type { Message } from '../chat2desk/chat2desk.types';
import type { ClaimedRecipient, RecipientQueue } from '../recipients/recipient-queue';

/**
 * Chat2Desk dates have whole seconds and its clock is not ours: a message counts as "created after
 * the attempt began" if it is at most this much older than the attempt's start.
 */
export const RECONCILE_CLOCK_SKEW_MS = 30_000;
/** Newest-first pages of a client's outgoing messages read before giving up (200 each). */
const MAX_PAGES = 3;
const PAGE_SIZE = 200;

/**
 * Answers "did this attempt reach Chat2Desk?" from Chat2Desk itself (invariant 2): a
 * `to_client` message to the same client, with the same text, created after the attempt began, whose
 * id no other recipient has claimed. There is no idempotency key; this is the only safe way to retry.
 */
export class MessageReconciler {
  constructor(
    private readonly client: Chat2DeskClient,
    private readonly queue: RecipientQueue,
  ) {}

  /** The message id of the attempt, or null when the message does not exist. Throws when Chat2Desk cannot tell. */
  async findSentMessage(recipient: ClaimedRecipient): Promise<number | null> {
    const notBefore = recipient.attemptStartedAt.getTime() - RECONCILE_CLOCK_SKEW_MS;
    const candidates: number[] = [];
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const { data, meta } = await this.client.messages(
        {
          clientId: recipient.clientId,
          type: 'to_client',
          order: 'desc',
          limit: PAGE_SIZE,
          offset: page * PAGE_SIZE,
        },
        { campaignId: recipient.campaignId, kind: 'status_poll' },
      );
      for (const message of data) {
        if (isSameMessage(message, recipient, notBefore)) candidates.push(message.id);
      }
      const reachedOlder = data.some((message) => createdAtMs(message) < notBefore);
      if (reachedOlder || data.length < PAGE_SIZE || (page + 1) * PAGE_SIZE >= meta.total) break;
    }
    if (candidates.length === 0) return null;
    const taken = await this.queue.recordedMessageIds(candidates);
    // Oldest first: with two untaken matches the earlier one belongs to the earlier attempt.
    const free = candidates.filter((id) => !taken.has(id)).sort((a, b) => a - b);
    return free[0] ?? null;
  }
}

function isSameMessage(message: Message, recipient: ClaimedRecipient, notBeforeMs: number): boolean {
  return (
    message.type === 'to_client' &&
    Number(message.client_id) === recipient.clientId &&
    (message.text ?? '').trim() === recipient.text.trim() &&
    createdAtMs(message) >= notBeforeMs
  );
}

/** `2016-01-11T19:45:05 UTC` → epoch ms (NaN-safe: an unreadable date never matches). */
export function createdAtMs(message: Pick<Message, 'created'>): number {
  const parsed = Date.parse(String(message.created).replace(' UTC', 'Z').replace(' ', 'T'));
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}
