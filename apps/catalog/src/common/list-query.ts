import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import {
  DEFAULT_PAGE_SIZE,
  type ColumnKind,
  type ListFilter,
  type ListModelSpec,
  type ListQuery,
} from '@meridian/contracts';
import { ValidationError } from '@meridian/errors';
import type { CatalogResource } from './visibility';

/** A filter column that matches a set of related rows (an owner among a row's owners). */
export interface Membership {
  /** FROM clause of the related rows, e.g. `dashboard_owners o JOIN users u ON u.id = o.user_id`. */
  from: string;
  /** Ties the related rows to the listed row, e.g. `o.dashboard_id = d.id`. */
  correlate: string;
  /** The related value a filter compares, e.g. `u.username`. */
  value: string;
}

/** SQL text of the viewer's visibility condition on `resource` rows aliased `alias`. */
export type VisibleSql = (resource: CatalogResource, alias: string) => string;

/** Loads an object-valued field for a whole page at once, keyed by row id. */
export type RelationLoader = (db: EntityManager, ids: number[]) => Promise<Map<number, unknown>>;

/**
 * How one model's list tool maps onto SQL: the spec from the contracts plus, for each field,
 * filter and order column, the SQL expression that computes it.
 */
export interface ListModel {
  spec: ListModelSpec;
  resource: CatalogResource;
  table: string;
  alias: string;
  /** LEFT JOINs to many-to-one parents; never to child rows, so counts stay row counts. */
  joins?: { table: string; alias: string; on: string }[];
  /** SQL of every scalar field; also used for filters, ordering and search on that name. */
  columns: Record<string, string>;
  /**
   * Scalar fields that depend on what the viewer sees (counts of visible children), built per
   * call from `visible(resource, alias)`, the viewer's visibility condition on rows aliased `alias`.
   */
  viewerColumns?: (visible: VisibleSql) => Record<string, string>;
  memberships?: Record<string, Membership>;
  /** Object-valued fields (owners), loaded per page with one query each. */
  relations?: Record<string, RelationLoader>;
}

export interface SqlCondition {
  sql: string;
  params: Record<string, unknown>;
}

export interface ListPlan {
  page: number;
  pageSize: number;
  /** Selected fields, `id` first. */
  columns: string[];
  order: { column: string; direction: 'asc' | 'desc' };
}

const SQL_TYPE: Record<ColumnKind, string> = {
  string: 'text',
  integer: 'bigint',
  boolean: 'boolean',
  datetime: 'timestamptz',
};

const ESCAPE = `ESCAPE '\\'`;

/** Makes user text match literally inside a LIKE pattern (backslash is the escape character). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?/;

/** True for a date(-time) string naming a real calendar instant (JS rolls 2024-02-30 over; PostgreSQL refuses it). */
export function isCalendarDatetime(value: string): boolean {
  const m = DATETIME.exec(value);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0));
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  return (
    y >= 1 &&
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60
  );
}

/** A LIKE pattern whose last backslash escapes nothing is refused by PostgreSQL; say so first. */
function endsWithLoneEscape(pattern: string): boolean {
  const trailing = /\\+$/.exec(pattern)?.[0].length ?? 0;
  return trailing % 2 === 1;
}

function checkValue(kind: ColumnKind, filter: ListFilter, field: string): void {
  const values = Array.isArray(filter.value) ? (filter.value as unknown[]) : [filter.value];
  if (kind === 'datetime' && values.some((v) => typeof v === 'string' && !isCalendarDatetime(v))) {
    throw new ValidationError(`${field} must be a valid date or date-time`, { field });
  }
  if ((filter.opr === 'like' || filter.opr === 'ilike') && endsWithLoneEscape(String(filter.value))) {
    throw new ValidationError(`${field} must not end with an unescaped backslash`, { field });
  }
}

/** The comparison of `expr` with a bound parameter, for every operator but the null tests. */
function comparison(expr: string, kind: ColumnKind, filter: ListFilter, param: string): SqlCondition {
  const type = SQL_TYPE[kind];
  const value = filter.value;
  const bound = (sql: string, v: unknown): SqlCondition => ({ sql, params: { [param]: v } });
  switch (filter.opr) {
    case 'eq':
    case 'ne':
      return bound(`${expr} = CAST(:${param} AS ${type})`, value);
    case 'in':
    case 'nin':
      return bound(`${expr} = ANY(CAST(:${param} AS ${type}[]))`, value);
    case 'gt':
      return bound(`${expr} > CAST(:${param} AS ${type})`, value);
    case 'gte':
      return bound(`${expr} >= CAST(:${param} AS ${type})`, value);
    case 'lt':
      return bound(`${expr} < CAST(:${param} AS ${type})`, value);
    case 'lte':
      return bound(`${expr} <= CAST(:${param} AS ${type})`, value);
    case 'sw':
      return bound(`${expr} LIKE :${param} ${ESCAPE}`, `${escapeLike(String(value))}%`);
    case 'ew':
      return bound(`${expr} LIKE :${param} ${ESCAPE}`, `%${escapeLike(String(value))}`);
    case 'like':
      return bound(`${expr} LIKE :${param}`, value);
    case 'ilike':
      return bound(`${expr} ILIKE :${param}`, value);
    case 'is_null':
    case 'is_not_null':
      throw new Error(`${filter.opr} has no comparison`);
  }
}

/**
 * Translates one filter to SQL with its value bound as `:param`. `ne` and `nin` keep rows with
 * no value ("not X" includes "nothing"); on a membership they mean "X is not among them", and
 * `is_null` means "there are none".
 */
export function filterCondition(
  target: string | Membership,
  kind: ColumnKind,
  filter: ListFilter,
  param: string,
  field = 'filters',
): SqlCondition {
  checkValue(kind, filter, `${field}.value`);
  const negated = filter.opr === 'ne' || filter.opr === 'nin';
  if (typeof target !== 'string') {
    const related = `SELECT 1 FROM ${target.from} WHERE ${target.correlate}`;
    if (filter.opr === 'is_null') return { sql: `NOT EXISTS (${related})`, params: {} };
    if (filter.opr === 'is_not_null') return { sql: `EXISTS (${related})`, params: {} };
    const inner = comparison(target.value, kind, filter, param);
    return { sql: `${negated ? 'NOT ' : ''}EXISTS (${related} AND ${inner.sql})`, params: inner.params };
  }
  if (filter.opr === 'is_null') return { sql: `${target} IS NULL`, params: {} };
  if (filter.opr === 'is_not_null') return { sql: `${target} IS NOT NULL`, params: {} };
  const cmp = comparison(target, kind, filter, param);
  return negated ? { sql: `(${target} IS NULL OR NOT (${cmp.sql}))`, params: cmp.params } : cmp;
}

/** Case-insensitive substring match of `text` over the given expressions. */
export function searchCondition(exprs: string[], text: string, param: string): SqlCondition {
  const sql = exprs.map((e) => `${e} ILIKE :${param} ${ESCAPE}`).join(' OR ');
  return { sql: `(${sql})`, params: { [param]: `%${escapeLike(text)}%` } };
}

function notOneOf(field: string, value: string, allowed: string[]): ValidationError {
  return new ValidationError(`${field} must be one of: ${allowed.join(', ')}`, { field, value });
}

/** Paging, column and order choices with the model's defaults applied. */
export function planList(spec: ListModelSpec, query: ListQuery): ListPlan {
  const fields = Object.keys(spec.fields);
  const requested = query.select_columns?.length ? query.select_columns : spec.defaultColumns;
  for (const c of requested) if (!fields.includes(c)) throw notOneOf('select_columns', c, fields);
  const column = query.order_column ?? spec.defaultOrder.column;
  if (!spec.orderColumns.includes(column)) throw notOneOf('order_column', column, spec.orderColumns);
  return {
    page: query.page ?? 1,
    pageSize: query.page_size ?? DEFAULT_PAGE_SIZE,
    columns: ['id', ...requested.filter((c) => c !== 'id')],
    order: {
      column,
      direction: query.order_direction ?? spec.defaultOrder.direction,
    },
  };
}

/** The filter and search conditions of a query, ANDed by the caller. */
export function listConditions(model: ListModel, query: ListQuery): SqlCondition[] {
  const conditions = (query.filters ?? []).map((filter, i) => {
    const kind = model.spec.filterColumns[filter.col];
    const target = model.memberships?.[filter.col] ?? model.columns[filter.col];
    if (!kind || !target) {
      throw notOneOf(`filters.${i}.col`, filter.col, Object.keys(model.spec.filterColumns));
    }
    return filterCondition(target, kind, filter, `lq_f${i}`, `filters.${i}`);
  });
  if (query.search) {
    const exprs = model.spec.searchColumns.map((c) => model.columns[c]);
    conditions.push(searchCondition(exprs, query.search, 'lq_search'));
  }
  return conditions;
}

export interface ListQueries<T extends ObjectLiteral> {
  plan: ListPlan;
  /** Counts every matching row. */
  count: SelectQueryBuilder<T>;
  /** Selects one page of the scalar fields, ordered with `id` as the tiebreaker. */
  page: SelectQueryBuilder<T>;
}

/** Builds the count and page queries of a list request on `qb` (an empty query builder). */
export function buildListQueries<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  model: ListModel,
  query: ListQuery,
): ListQueries<T> {
  const plan = planList(model.spec, query);
  qb.from(model.table, model.alias);
  for (const j of model.joins ?? []) qb.leftJoin(j.table, j.alias, j.on);
  for (const c of listConditions(model, query)) qb.andWhere(`(${c.sql})`, c.params);

  const count = qb.clone().select('COUNT(*)', 'total');
  const page = qb.clone();
  const scalar = plan.columns.filter((c) => model.columns[c] !== undefined);
  page.select(model.columns.id, 'id');
  for (const c of scalar) if (c !== 'id') page.addSelect(model.columns[c], c);
  const direction = plan.order.direction === 'asc' ? 'ASC' : 'DESC';
  page
    .orderBy(model.columns[plan.order.column], direction, 'NULLS LAST')
    .addOrderBy(model.columns.id, direction)
    .offset((plan.page - 1) * plan.pageSize)
    .limit(plan.pageSize);
  return { plan, count, page };
}

/** Paging facts of a page, Superset style. */
export function pageInfo(plan: ListPlan, total: number, count: number) {
  const totalPages = Math.ceil(total / plan.pageSize);
  return {
    count,
    total_count: total,
    page: plan.page,
    page_size: plan.pageSize,
    total_pages: totalPages,
    has_next: plan.page < totalPages,
    has_previous: plan.page > 1,
  };
}
