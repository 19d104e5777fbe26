import { constantTimeEquals } from './constant-time';

describe('constantTimeEquals', () => {
  it('accepts the same secret', () => {
    expect(constantTimeEquals('c2d_secret-key', 'c2d_secret-key')).toBe(true);
  });

  it('rejects a different secret of the same length, a prefix, a longer value and the empty string', () => {
    expect(constantTimeEquals('c2d_secret-kez', 'c2d_secret-key')).toBe(false);
    expect(constantTimeEquals('c2d_secret', 'c2d_secret-key')).toBe(false);
    expect(constantTimeEquals('c2d_secret-key-and-more', 'c2d_secret-key')).toBe(false);
    expect(constantTimeEquals('', 'c2d_secret-key')).toBe(false);
  });
});
