import { failureReasonFor, normalizeRecipientStatus } from './status-normalizer';

describe('normalizeRecipientStatus', () => {
  it.each([
    ['delivered', 'delivered'],
    ['DELIVERED', 'delivered'],
    [' read ', 'read'],
    ['failed', 'failed'],
    ['not delivered', 'failed'],
    ['Not_Delivered', 'failed'],
    ['not-delivered', 'failed'],
    ['undelivered', 'failed'],
    ['error', 'failed'],
    ['sent', 'sent'],
  ])('maps %p to %p', (raw, outcome) => {
    expect(normalizeRecipientStatus(raw)).toBe(outcome);
  });

  it('keeps unknown and missing values in flight, for the deadline to decide', () => {
    expect(normalizeRecipientStatus('on_moderation')).toBe('sent');
    expect(normalizeRecipientStatus('')).toBe('sent');
    expect(normalizeRecipientStatus(null)).toBe('sent');
    expect(normalizeRecipientStatus(undefined)).toBe('sent');
  });

  it('words a failure with the raw value', () => {
    expect(failureReasonFor(' not delivered')).toBe('Chat2Desk: not delivered');
  });
});
