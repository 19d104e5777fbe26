import { DomainError } from '../../common/errors/domain-error';

/**
 * Without a secret anyone who finds the URL could opt any phone out or rewrite delivery statuses,
 * so the webhook is off until CHAT2DESK_WEBHOOK_SECRET is set: it answers 503 and is not registered.
 */
export class WebhookSecretMissingError extends DomainError {
  constructor(action: 'receive' | 'register') {
    super(
      'unavailable',
      'webhook_secret_missing',
      action === 'receive'
        ? 'The Chat2Desk webhook is off: CHAT2DESK_WEBHOOK_SECRET is not set. Set it (the HMAC secret the webhook calls are signed with) on every instance and restart'
        : 'Cannot register the Chat2Desk webhook: CHAT2DESK_WEBHOOK_SECRET is not set, so the webhook would refuse every call. Set it on every instance, restart, then register again',
      { setting: 'CHAT2DESK_WEBHOOK_SECRET' },
    );
  }
}

/** Logged at boot by instances that serve the webhook while it is off. */
export const WEBHOOK_OFF_WARNING =
  'CHAT2DESK_WEBHOOK_SECRET is not set: POST /api/webhooks/chat2desk answers 503 (delivery statuses come only from polling, stop words are not seen) and webhook-register is refused. Set the secret to turn the webhook on';
