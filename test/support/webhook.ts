import { signWebhookBody } from '../../src/delivery/webhook/webhook-signature';

/** The webhook is off without a secret: tests that post to it give the app this one. */
export const TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789';

/** `env` for createTestApp with the webhook on. */
export const WEBHOOK_ENV = { CHAT2DESK_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET };

/** Posts an event to the app's webhook, signed as Chat2Desk would sign it (`signature: null` = unsigned). */
export function postWebhook(
  baseUrl: string,
  body: string | Record<string, unknown>,
  signature: string | null = signWebhookBody(
    typeof body === 'string' ? body : JSON.stringify(body),
    TEST_WEBHOOK_SECRET,
  ),
): Promise<Response> {
  return fetch(`${baseUrl}/api/webhooks/chat2desk`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature === null ? {} : { 'x-signature': signature }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
