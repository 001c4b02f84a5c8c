import type { DataSource } from 'typeorm';
import type { MeridianConfig } from '@meridian/config';
import { createMetadataDataSource } from '@meridian/persistence';

export type Say = (line: string) => void;

export class UsageError extends Error {}

export function requireDatabase(config: MeridianConfig): string {
  if (!config.databaseUrl) throw new UsageError('SQLALCHEMY_DATABASE_URI (or DATABASE_URL) is required');
  return config.databaseUrl;
}

/** Runs `fn` with an initialised metadata DataSource, always closing it. */
export async function withMetadata<T>(
  config: MeridianConfig,
  fn: (ds: DataSource) => Promise<T>,
): Promise<T> {
  const ds = createMetadataDataSource({ url: requireDatabase(config), applicationName: 'meridian-cli' });
  await ds.initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

/** A fixed-width text table for terminal output. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (Array.isArray(v)) return v.map(cell).join(',');
    return typeof v === 'string' ? v : JSON.stringify(v);
  };
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join('\n');
}
