import { readCookie, SESSION_TTL_MS, SessionTokens } from './session-token';

describe('SessionTokens', () => {
  const now = Date.UTC(2026, 0, 1);
  const tokens = new SessionTokens('key-1');

  it('accepts its own token until it expires', () => {
    const { token, expiresAt } = tokens.issue(now);
    expect(expiresAt.getTime()).toBe(now + SESSION_TTL_MS);
    expect(tokens.isValid(token, now + 1000)).toBe(true);
    expect(tokens.isValid(token, now + SESSION_TTL_MS)).toBe(false);
  });

  it('rejects tokens signed with another key, tampered expiries and garbage', () => {
    const { token } = tokens.issue(now);
    const [, signature] = token.split('.');
    expect(new SessionTokens('key-2').isValid(token, now)).toBe(false);
    expect(tokens.isValid(`${now + 10 * SESSION_TTL_MS}.${signature}`, now)).toBe(false);
    expect(tokens.isValid('not-a-token', now)).toBe(false);
    expect(tokens.isValid(`${token}.extra`, now)).toBe(false);
  });
});

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('a=1; c2d_session=x%2Ey; b=2', 'c2d_session')).toBe('x.y');
    expect(readCookie('a=1', 'c2d_session')).toBeUndefined();
    expect(readCookie(undefined, 'c2d_session')).toBeUndefined();
  });
});
