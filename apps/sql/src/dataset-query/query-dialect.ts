import type { TimeGrain } from '@meridian/contracts';
import { quoteMysqlIdent } from '../dialects/mysql/mysql.dialect';
import { quotePgIdent } from '../dialects/postgres/postgres.dialect';

/**
 * The few pieces of SQL a compiled dataset query writes differently per engine. Everything they
 * receive is a quoted identifier, trusted catalog SQL or a placeholder: never a caller's value.
 */
export interface QueryDialect {
  quote(name: string): string;
  /** The placeholder of the n-th bound value (1-based). */
  placeholder(n: number): string;
  /** `expr` truncated to the grain; `isDate` when the column holds dates without a time. */
  timeGrain(expr: string, grain: TimeGrain, isDate: boolean): string;
  /** Case-insensitive LIKE. */
  ilike(expr: string, placeholder: string): string;
  /**
   * `source` restricted to the rows of the row-level security predicate, as a derived table the
   * planner may not merge with the caller's conditions (so none of them sees a hidden row).
   */
  fenced(source: string, predicate: string, alias: string): string;
}

const PG_UNITS: Record<TimeGrain, string> = {
  PT1M: 'minute',
  PT1H: 'hour',
  P1D: 'day',
  P1W: 'week',
  P1M: 'month',
  P3M: 'quarter',
  P1Y: 'year',
};
const SUB_DAY = new Set<TimeGrain>(['PT1M', 'PT1H']);

export const POSTGRES_QUERY: QueryDialect = {
  quote: quotePgIdent,
  placeholder: (n) => `$${n}`,
  timeGrain: (expr, grain, isDate) => {
    const truncated = `date_trunc('${PG_UNITS[grain]}', ${expr})`;
    // date_trunc answers a timestamp; a date column keeps answering dates at day grain and above.
    return isDate && !SUB_DAY.has(grain) ? `CAST(${truncated} AS date)` : truncated;
  },
  ilike: (expr, ph) => `${expr} ILIKE ${ph}`,
  fenced: (source, predicate, alias) => `(SELECT * FROM ${source} WHERE (${predicate}) OFFSET 0) AS ${alias}`,
};

/** Weeks start on Monday on both engines (PostgreSQL's date_trunc('week')). */
const MYSQL_GRAINS: Record<TimeGrain, (x: string) => string> = {
  PT1M: (x) => `DATE_ADD(DATE(${x}), INTERVAL (HOUR(${x}) * 60 + MINUTE(${x})) MINUTE)`,
  PT1H: (x) => `DATE_ADD(DATE(${x}), INTERVAL HOUR(${x}) HOUR)`,
  P1D: (x) => `DATE(${x})`,
  P1W: (x) => `DATE(DATE_SUB(${x}, INTERVAL WEEKDAY(${x}) DAY))`,
  P1M: (x) => `DATE(DATE_SUB(${x}, INTERVAL (DAYOFMONTH(${x}) - 1) DAY))`,
  P3M: (x) => `DATE_ADD(MAKEDATE(YEAR(${x}), 1), INTERVAL (QUARTER(${x}) - 1) * 3 MONTH)`,
  P1Y: (x) => `MAKEDATE(YEAR(${x}), 1)`,
};
/** A derived table with a LIMIT is never merged into the outer query: 2^53 - 1 rows. */
const MYSQL_FENCE = Number.MAX_SAFE_INTEGER;

export const MYSQL_QUERY: QueryDialect = {
  quote: quoteMysqlIdent,
  placeholder: () => '?',
  timeGrain: (expr, grain) => MYSQL_GRAINS[grain](expr),
  ilike: (expr, ph) => `LOWER(${expr}) LIKE LOWER(${ph})`,
  fenced: (source, predicate, alias) =>
    `(SELECT * FROM ${source} WHERE (${predicate}) LIMIT ${MYSQL_FENCE}) AS ${alias}`,
};
