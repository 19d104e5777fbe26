import { parse } from 'csv-parse/sync';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { neutralizeCsvValue, safeCsvStringifier } from './safe-csv';

describe('neutralizeCsvValue', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', `'=HYPERLINK("http://evil.example","click")`],
    ['=1+1', "'=1+1"],
    ['+79001234567', "'+79001234567"],
    ['+SUM(A1)', "'+SUM(A1)"],
    ['-1', "'-1"],
    ['@x', "'@x"],
    ['@cmd', "'@cmd"],
    ['\tcmd', "'\tcmd"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1', "'\r=1"],
    [' =1+1', "' =1+1"],
    ['\n  @cmd', "'\n  @cmd"],
    ['\u3000＝1+1', "'\u3000＝1+1"],
    ['＋1', "'＋1"],
  ])('prefixes %p', (value, expected) => {
    expect(neutralizeCsvValue(value)).toBe(expected);
  });

  it.each(['Иван Петров', '79001234567', 'a=b', 'delivered', '', ' ', 'Chat2Desk: not delivered', "'=1"])(
    'leaves %p alone',
    (value) => {
      expect(neutralizeCsvValue(value)).toBe(value);
    },
  );
});

describe('safeCsvStringifier', () => {
  // Decoded by hand: a default TextDecoder would drop the BOM under test.
  const write = async (rows: unknown[], csv = safeCsvStringifier()) =>
    new TextDecoder('utf-8', { ignoreBOM: true }).decode(await buffer(Readable.from(rows).pipe(csv)));

  it('writes the BOM, quotes per RFC 4180 and neutralizes every string cell of array rows', async () => {
    const out = await write([
      ['=h', 'x'],
      ['a,b', 'say "hi"'],
      ['@cmd', '79001234567'],
    ]);
    expect(out.startsWith('\uFEFF')).toBe(true);
    expect(parse(out.slice(1))).toEqual([
      ["'=h", 'x'],
      ['a,b', 'say "hi"'],
      ["'@cmd", '79001234567'],
    ]);
  });

  it('writes object rows under a header row, header cells neutralized too', async () => {
    const csv = safeCsvStringifier({
      columns: [
        { key: 'phone', header: 'phone' },
        { key: 'name', header: '=name' },
      ],
    });
    const out = await write(
      [
        { phone: '79001234567', name: '-1', ignored: '=x' },
        { phone: '79001234568', name: null },
      ],
      csv,
    );
    expect(parse(out.slice(1))).toEqual([
      ['phone', "'=name"],
      ['79001234567', "'-1"],
      ['79001234568', ''],
    ]);
  });
});
