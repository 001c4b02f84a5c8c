/** Decimal text as a JSON number when no precision is lost, else as text. */
export function decimalValue(text: string): number | string {
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  const digits = text.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '');
  return digits.length <= 15 ? n : text;
}

/** Integer text as a JSON number when it is a safe integer, else as text. */
export function integerValue(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** A driver value as JSON can carry it: bytes as \x hex, big integers as text, dates as ISO text. */
export function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return integerValue(value.toString());
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(jsonValue);
  return value;
}

/** Column names made unique the way Superset does: a repeated name gets __1, __2, ... */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(names);
  return names.map((name) => {
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    if (count === 0) return name;
    let n = count;
    let candidate = `${name}__${n}`;
    while (taken.has(candidate)) candidate = `${name}__${++n}`;
    taken.add(candidate);
    return candidate;
  });
}
