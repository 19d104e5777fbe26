import { normalizeName } from './names';

describe('normalizeName', () => {
  it('stores names in NFC with the spaces around them trimmed', () => {
    expect(normalizeName('name', '  Cafe\u0301 ', 200)).toBe('Café');
    expect(normalizeName('name', '\u00a0База\u3000', 200)).toBe('База');
    expect(normalizeName('name', 'Loyalty — Moscow', 200)).toBe('Loyalty — Moscow');
  });

  it.each([
    ['\u200b', 'U+200B'],
    ['\u200c', 'U+200C'],
    ['\u200d', 'U+200D'],
    ['\u2060', 'U+2060'],
    ['\ufeff', 'U+FEFF'],
    ['\u0000', 'U+0000'],
    ['\u0007', 'U+0007'],
    ['\t', 'U+0009'],
    ['\n', 'U+000A'],
    ['\u007f', 'U+007F'],
    ['\u0085', 'U+0085'],
    ['\u009b', 'U+009B'],
    ['\u202e', 'U+202E'],
    ['\u00ad', 'U+00AD'],
    ['\u2028', 'U+2028'],
  ])('refuses %j anywhere, naming the field and the character', (character, code) => {
    for (const value of [`Base2${character}`, `${character}Base2`, `Ba${character}se2`])
      expect(() => normalizeName('name', value, 200)).toThrow(
        expect.objectContaining({
          message: expect.stringMatching(new RegExp(`^name: .*${code.replace('+', '\\+')}`)),
        }),
      );
  });

  it('refuses empty and over-long names', () => {
    expect(() => normalizeName('name', ' \u3000 ', 200)).toThrow('name: must not be empty');
    expect(() => normalizeName('name', 'x'.repeat(201), 200)).toThrow('name: must be at most 200 characters');
  });
});
