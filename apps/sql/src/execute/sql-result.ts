import { boundResult } from '@meridian/messaging';
import type { EngineResult, ResultColumn } from '../engines/engine';
import { uniqueNames } from '../engines/values';

/** The execute_sql answer. */
export interface SqlResult {
  columns: ResultColumn[];
  rows: Record<string, unknown>[];
  row_count: number;
  affected_rows: number | null;
  truncated: boolean;
  truncation_reason: string | null;
  execution_time_ms: number;
  executed_sql: string;
  dry_run: boolean;
}

/** Room kept for the reply's envelope when rows are cut to fit MCP_MAX_RESPONSE_BYTES. */
const ENVELOPE_ROOM = 1024;

/** What a dry run answers: the SQL that would run. */
export function dryRunResult(sql: string): SqlResult {
  return {
    columns: [],
    rows: [],
    row_count: 0,
    affected_rows: null,
    truncated: false,
    truncation_reason: null,
    execution_time_ms: 0,
    executed_sql: sql,
    dry_run: true,
  };
}

/**
 * Rows as objects keyed by (unique) column name, cut to `limit` and then to what fits in
 * `maxBytes`, saying why when anything was cut.
 */
export function shapeResult(
  result: EngineResult,
  sql: string,
  limit: number,
  maxBytes: number,
  limitField = 'limit',
): SqlResult {
  const names = uniqueNames(result.columns.map((c) => c.name));
  const columns = result.columns.map((c, i) => ({ ...c, name: names[i] }));
  const overLimit = result.rows.length > limit;
  const rows = result.rows.slice(0, limit).map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
  const answer: SqlResult = {
    columns,
    rows,
    row_count: rows.length,
    affected_rows: result.affectedRows,
    truncated: overLimit,
    truncation_reason: overLimit ? `Result limited to ${limit} rows (${limitField})` : null,
    execution_time_ms: Math.round(result.executionMs * 1000) / 1000,
    executed_sql: sql,
    dry_run: false,
  };
  const bounded = boundResult(answer, Math.max(ENVELOPE_ROOM, maxBytes - ENVELOPE_ROOM));
  if (!bounded.truncated) return answer;
  const cut = bounded.value as SqlResult;
  const reasons = [answer.truncation_reason, cut.truncation_reason].filter(Boolean);
  return { ...cut, row_count: cut.rows.length, truncated: true, truncation_reason: reasons.join('; ') };
}
