import type { FieldPacket } from 'mysql2';
import type { ResultColumn } from './engine';

/** MySQL protocol column type codes, by name. */
const NAMES: Record<number, string> = {
  0: 'decimal',
  1: 'tinyint',
  2: 'smallint',
  3: 'int',
  4: 'float',
  5: 'double',
  6: 'null',
  7: 'timestamp',
  8: 'bigint',
  9: 'mediumint',
  10: 'date',
  11: 'time',
  12: 'datetime',
  13: 'year',
  14: 'date',
  15: 'varchar',
  16: 'bit',
  245: 'json',
  246: 'decimal',
  247: 'enum',
  248: 'set',
  249: 'tinyblob',
  250: 'mediumblob',
  251: 'longblob',
  252: 'blob',
  253: 'varchar',
  254: 'char',
  255: 'geometry',
};
const DECIMAL = new Set([0, 246]);
const BLOB = new Set([249, 250, 251, 252]);
const TEXT_OF_BLOB: Record<number, string> = {
  249: 'tinytext',
  250: 'mediumtext',
  251: 'longtext',
  252: 'text',
};
const FLAG = { notNull: 1, unsigned: 32 };
const BINARY_CHARSET = 63;

/** A result column's type as MySQL would name it, and whether it may hold NULL. */
export function mysqlColumn(field: FieldPacket): ResultColumn {
  const code = field.columnType ?? field.type ?? 253;
  const flags = typeof field.flags === 'number' ? field.flags : 0;
  const binary = field.characterSet === BINARY_CHARSET;
  let type = NAMES[code] ?? 'unknown';
  if (BLOB.has(code) && !binary) type = TEXT_OF_BLOB[code];
  if ((code === 253 || code === 254) && binary) type = code === 253 ? 'varbinary' : 'binary';
  if (DECIMAL.has(code) && field.decimals !== undefined) {
    const digits = Math.max(1, (field.columnLength ?? 0) - (field.decimals > 0 ? 2 : 1));
    type = `decimal(${digits},${field.decimals})`;
  }
  if (flags & FLAG.unsigned) type = `${type} unsigned`;
  return { name: field.name, type, is_nullable: (flags & FLAG.notNull) === 0 };
}

/** DECIMAL values come as text; binary columns as bytes. */
export function isDecimal(field: FieldPacket): boolean {
  return DECIMAL.has(field.columnType ?? field.type ?? -1);
}
