import { createHmac } from 'node:crypto';
import { isValidWebhookSignature, signWebhookBody } from './webhook-signature';
import { isStopWord } from './stop-words';

describe('webhook signature', () => {
  const body = Buffer.from('{"event":"inbox","text":"СТОП"}', 'utf8');
  const secret = 's3cret';

  it('accepts the HMAC-SHA256 of the raw body as hex, base64 or sha256=hex', () => {
    const digest = createHmac('sha256', secret).update(body).digest();
    expect(isValidWebhookSignature(body, signWebhookBody(body, secret), secret)).toBe(true);
    expect(isValidWebhookSignature(body, digest.toString('base64'), secret)).toBe(true);
    expect(isValidWebhookSignature(body, `sha256=${digest.toString('hex')}`, secret)).toBe(true);
  });

  it('rejects a missing signature, another secret, a changed body and garbage', () => {
    expect(isValidWebhookSignature(body, undefined, secret)).toBe(false);
    expect(isValidWebhookSignature(body, signWebhookBody(body, 'other'), secret)).toBe(false);
    expect(
      isValidWebhookSignature(Buffer.from(`${body.toString()} `), signWebhookBody(body, secret), secret),
    ).toBe(false);
    expect(isValidWebhookSignature(body, 'not-a-signature', secret)).toBe(false);
  });
});

describe('isStopWord', () => {
  const words = ['STOP', 'СТОП', 'ОТПИСАТЬСЯ'];

  it.each(['STOP', 'stop', '  Stop!  ', 'стоп', 'Стоп.', 'отписаться'])('%p is a stop word', (text) => {
    expect(isStopWord(text, words)).toBe(true);
  });

  it.each(['please stop sending', 'stopped', '', null, '!!!'])('%p is not', (text) => {
    expect(isStopWord(text, words)).toBe(false);
  });
});
