import { readCookie } from './session-token';

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('a=1; c2d_session=x%2Ey; b=2', 'c2d_session')).toBe('x.y');
    expect(readCookie('a=1', 'c2d_session')).toBeUndefined();
    expect(readCookie(undefined, 'c2d_session')).toBeUndefined();
  });

  it('refuses a value that is not percent-encoding with an error naming the cookie', () => {
    expect(() => readCookie('c2d_session=%', 'c2d_session')).toThrow(/^cookie c2d_session: /);
    expect(readCookie('other=%; c2d_session=ok', 'c2d_session')).toBe('ok');
  });
});
