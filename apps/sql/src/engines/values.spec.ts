import { describe, expect, it } from 'vitest';
import { decimalValue, integerValue, jsonValue, uniqueNames } from './values';

describe('values', () => {
  it('keeps decimals exact: numbers when they fit, text when they would lose digits', () => {
    expect(decimalValue('123.45')).toBe(123.45);
    expect(decimalValue('-0.50')).toBe(-0.5);
    expect(decimalValue('12345678901234567890.12')).toBe('12345678901234567890.12');
    expect(decimalValue('NaN')).toBe('NaN');
  });

  it('keeps integers exact', () => {
    expect(integerValue('42')).toBe(42);
    expect(integerValue('9007199254740993')).toBe('9007199254740993');
  });

  it('turns driver values into JSON', () => {
    expect(jsonValue(Buffer.from([1, 255]))).toBe('\\x01ff');
    expect(jsonValue(10n)).toBe(10);
    expect(jsonValue(2n ** 64n)).toBe('18446744073709551616');
    expect(jsonValue(new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02T03:04:05.000Z');
    expect(jsonValue(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(jsonValue(undefined)).toBeNull();
    expect(jsonValue({ a: 1 })).toEqual({ a: 1 });
  });

  it('makes column names unique the Superset way', () => {
    expect(uniqueNames(['id', 'id', 'name', 'id'])).toEqual(['id', 'id__1', 'name', 'id__2']);
    expect(uniqueNames(['a', 'a__1', 'a'])).toEqual(['a', 'a__1', 'a__2']);
  });
});
