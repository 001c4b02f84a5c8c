import type { ColumnKind } from '@meridian/contracts';

export function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** A raw driver value in the JSON form its kind promises (counts arrive from pg as text). */
export function jsonValue(kind: ColumnKind | 'object', value: unknown): unknown {
  if (value === null || value === undefined) return kind === 'boolean' ? false : null;
  switch (kind) {
    case 'integer':
      return Number(value);
    case 'boolean':
      return Boolean(value);
    case 'datetime':
      return iso(value as Date | string);
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'object':
      return value;
  }
}
