import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv';

describe('CSV', () => {
  it('quotes fields with separators, quotes and line breaks', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(2.5)).toBe('2.5');
  });

  it('writes a header and the rows that fit, saying whether any were left out', () => {
    const rows = [
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
    ];
    expect(toCsv(['a', 'b'], rows, 1000)).toEqual({
      csv: 'a,b\r\n1,x\r\n2,y\r\n',
      rows: 2,
      truncated: false,
    });
    expect(toCsv(['a', 'b'], rows, 12)).toEqual({ csv: 'a,b\r\n1,x\r\n', rows: 1, truncated: true });
  });
});
