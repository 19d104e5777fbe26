import { assertJsonDepth } from './body-parsers';

describe('assertJsonDepth', () => {
  const check =
    (json: string, max = 3) =>
    () =>
      assertJsonDepth(Buffer.from(json, 'utf8'), max);

  it('accepts bodies up to the limit, whatever their strings hold', () => {
    expect(check('{"a": [{"b": 1}]}')).not.toThrow();
    expect(check('{"a": "[[[[{{{{", "b": "\\\\", "c": "\\"[[[["}')).not.toThrow();
    expect(check('{"имя": "[{[{", "x": [[1], [2], [3]]}')).not.toThrow();
  });

  it('refuses one level more, naming the body and the limit', () => {
    expect(check('{"a": [{"b": []}]}')).toThrow('body: JSON is nested deeper than 3 levels');
    expect(check(`${'['.repeat(45_000)}${']'.repeat(45_000)}`, 32)).toThrow(/deeper than 32/);
  });
});
