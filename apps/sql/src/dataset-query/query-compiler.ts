import {
  queryFilterValueProblem,
  type QueryDatasetFilter,
  type QueryDatasetMetric,
  type QueryDatasetRequest,
} from '@meridian/contracts';
import { ValidationError } from '@meridian/errors';
import type { QueryDialect } from './query-dialect';
import type { CompiledQuery, QueryableColumn, QueryableDataset } from './queryable-dataset';
import { unknownName } from './suggestions';

interface Output {
  label: string;
  expr: string;
  field: string;
}

const TEMPORAL_TYPE = /date|time/i;
const DATE_TYPE = /^\s*date\s*$/i;
const OPERATORS: Record<string, string> = {
  '=': '=',
  '!=': '<>',
  '>': '>',
  '<': '<',
  '>=': '>=',
  '<=': '<=',
};

const bare = (sql: string) =>
  sql
    .trim()
    .replace(/;+\s*$/, '')
    .trimEnd();
/** Trusted catalog SQL as one operand; the line break ends any trailing comment it carries. */
const trusted = (sql: string) => `(${bare(sql)}\n)`;
/**
 * A saved metric's aggregate as written (MySQL's parser cannot regenerate a parenthesised
 * aggregate faithfully); it is a whole select item or sort key, so no operator binds to it.
 */
const aggregate = (sql: string) => `${bare(sql)}\n`;

/**
 * Compiles a structured dataset query. Every name the caller gives is looked up in the dataset and
 * written as a quoted identifier (or the catalog's trusted expression); every value becomes a
 * placeholder; everything else comes from closed sets (aggregates, operators, grains, directions).
 */
class Compiler {
  private readonly params: unknown[] = [];
  private readonly timeColumn: QueryableColumn | null;

  constructor(
    private readonly ds: QueryableDataset,
    private readonly req: QueryDatasetRequest,
    private readonly d: QueryDialect,
  ) {
    this.timeColumn = this.resolveTimeColumn();
  }

  compile(rlsPredicate: string | null, rowLimit: number): CompiledQuery {
    if (!Number.isSafeInteger(rowLimit) || rowLimit < 1)
      throw new Error('row limit must be a positive integer');
    const dims = this.dimensions();
    const metrics = (this.req.metrics ?? []).map((m, i) => this.metric(m, i));
    const grouped = metrics.length > 0 || (this.req.group_by?.length ?? 0) > 0;
    if (dims.length === 0 && metrics.length === 0) {
      throw new ValidationError('Ask for at least one column, metric or group_by column', {
        field: 'columns',
      });
    }
    const outputs = [...dims, ...metrics];
    this.assertUniqueLabels(outputs);
    const where = (this.req.filters ?? []).map((f, i) => this.filter(f, i));
    const order = (this.req.order_by ?? []).map((o, i) =>
      this.orderTerm(o.name, o.direction, i, outputs, grouped),
    );
    const parts = [
      `SELECT ${outputs.map((o) => `${o.expr} AS ${this.d.quote(o.label)}`).join(', ')}`,
      `FROM ${this.source(rlsPredicate)}`,
    ];
    if (where.length > 0) parts.push(`WHERE ${where.join(' AND ')}`);
    if (grouped && dims.length > 0) parts.push(`GROUP BY ${dims.map((_, i) => i + 1).join(', ')}`);
    if (order.length > 0) parts.push(`ORDER BY ${order.join(', ')}`);
    parts.push(`LIMIT ${rowLimit + 1}`);
    return { sql: parts.join(' '), params: this.params, labels: outputs.map((o) => o.label) };
  }

  private column(name: string, field: string): QueryableColumn {
    const found = this.ds.columns.find((c) => c.name === name);
    if (found) return found;
    throw unknownName(
      'column',
      name,
      field,
      this.ds.columns.map((c) => c.name),
    );
  }

  private columnSql(c: QueryableColumn): string {
    return c.expression ? trusted(c.expression) : this.d.quote(c.name);
  }

  /** The column as a result column: truncated to the grain when it is the time column. */
  private dimensionSql(c: QueryableColumn): string {
    const grain = this.req.time_grain;
    if (!grain || c !== this.timeColumn) return this.columnSql(c);
    return this.d.timeGrain(this.columnSql(c), grain, DATE_TYPE.test(c.type ?? ''));
  }

  private resolveTimeColumn(): QueryableColumn | null {
    const { time_grain: grain, time_column: named } = this.req;
    if (!grain) {
      if (named) throw new ValidationError('time_column needs a time_grain', { field: 'time_grain' });
      return null;
    }
    const name = named ?? this.ds.mainDttmCol;
    if (!name) {
      throw new ValidationError('time_grain needs a time_column: the dataset has no main time column', {
        field: 'time_column',
      });
    }
    const column = this.column(name, 'time_column');
    if (!column.isDttm && !TEMPORAL_TYPE.test(column.type ?? '')) {
      throw new ValidationError(`Column ${JSON.stringify(name)} is not temporal: no time grain applies`, {
        field: 'time_column',
      });
    }
    return column;
  }

  private dimensions(): Output[] {
    const named = [
      ...(this.req.columns ?? []).map((name, i) => ({ name, field: `columns[${i}]` })),
      ...(this.req.group_by ?? []).map((name, i) => ({ name, field: `group_by[${i}]` })),
    ];
    const seen = new Set<string>();
    const dims: Output[] = [];
    for (const { name, field } of named) {
      const column = this.column(name, field);
      if (seen.has(column.name)) continue;
      seen.add(column.name);
      dims.push({ label: column.name, expr: this.dimensionSql(column), field });
    }
    const time = this.timeColumn;
    if (time && !seen.has(time.name)) {
      dims.unshift({ label: time.name, expr: this.dimensionSql(time), field: 'time_column' });
    }
    return dims;
  }

  private metric(m: QueryDatasetMetric, i: number): Output {
    const field = `metrics[${i}]`;
    const saved = this.ds.metrics.find((s) => s.name === m.name);
    if (m.saved_metric || !m.aggregate) {
      if (m.aggregate) {
        throw new ValidationError('A saved metric takes no aggregate', { field: `${field}.aggregate` });
      }
      if (saved)
        return { label: m.label ?? saved.name, expr: aggregate(saved.expression), field: `${field}.label` };
      if (!m.saved_metric && this.ds.columns.some((c) => c.name === m.name)) {
        throw new ValidationError(
          `Metric on column ${JSON.stringify(m.name)} needs an aggregate (SUM, COUNT, AVG, MIN, MAX, COUNT_DISTINCT)`,
          { field: `${field}.aggregate` },
        );
      }
      const known = this.ds.metrics.map((s) => s.name);
      throw unknownName(
        'saved metric',
        m.name,
        `${field}.name`,
        m.saved_metric ? known : [...known, ...this.columnNames()],
      );
    }
    const label = m.label ?? `${m.aggregate}(${m.name})`;
    if (m.name === '*') {
      if (m.aggregate !== 'COUNT') {
        throw new ValidationError('"*" is for COUNT only', { field: `${field}.aggregate` });
      }
      return { label, expr: 'COUNT(*)', field: `${field}.label` };
    }
    const column = this.columnSql(this.column(m.name, `${field}.name`));
    const expr = m.aggregate === 'COUNT_DISTINCT' ? `COUNT(DISTINCT ${column})` : `${m.aggregate}(${column})`;
    return { label, expr, field: `${field}.label` };
  }

  private filter(f: QueryDatasetFilter, i: number): string {
    const field = `filters[${i}]`;
    const problem = queryFilterValueProblem(f.op, f.value);
    if (problem) throw new ValidationError(`${field}.value ${problem}`, { field: `${field}.value` });
    const expr = this.columnSql(this.column(f.column, `${field}.column`));
    switch (f.op) {
      case 'IS NULL':
      case 'IS NOT NULL':
        return `${expr} ${f.op}`;
      case 'IN':
      case 'NOT IN':
        return `${expr} ${f.op} (${(f.value as unknown[]).map((v) => this.bind(v)).join(', ')})`;
      case 'LIKE':
        return `${expr} LIKE ${this.bind(f.value)}`;
      case 'ILIKE':
        return this.d.ilike(expr, this.bind(f.value));
      default:
        return `${expr} ${OPERATORS[f.op]} ${this.bind(f.value)}`;
    }
  }

  private orderTerm(
    name: string,
    direction: 'asc' | 'desc' | undefined,
    i: number,
    outputs: readonly Output[],
    grouped: boolean,
  ): string {
    const dir = direction === 'desc' ? 'DESC' : 'ASC';
    const position = outputs.findIndex((o) => o.label === name);
    if (position >= 0) return `${position + 1} ${dir}`;
    const column = grouped ? undefined : this.ds.columns.find((c) => c.name === name);
    if (column) return `${this.dimensionSql(column)} ${dir}`;
    const saved = grouped ? this.ds.metrics.find((m) => m.name === name) : undefined;
    if (saved) return `${aggregate(saved.expression)} ${dir}`;
    const known = [
      ...outputs.map((o) => o.label),
      ...(grouped ? this.ds.metrics.map((m) => m.name) : this.columnNames()),
    ];
    throw unknownName('result column', name, `order_by[${i}].name`, known);
  }

  private source(rlsPredicate: string | null): string {
    const alias = this.d.quote(this.ds.tableName);
    const base = this.ds.sql
      ? `${trusted(this.ds.sql)} AS ${alias}`
      : `${this.d.quote(this.ds.schema)}.${this.d.quote(this.ds.tableName)}`;
    return rlsPredicate ? this.d.fenced(base, `${rlsPredicate}\n`, alias) : base;
  }

  private assertUniqueLabels(outputs: readonly Output[]): void {
    const seen = new Set<string>();
    for (const o of outputs) {
      if (seen.has(o.label)) {
        throw new ValidationError(
          `Two result columns are named ${JSON.stringify(o.label)}: give one a label`,
          {
            field: o.field,
          },
        );
      }
      seen.add(o.label);
    }
  }

  private bind(value: unknown): string {
    this.params.push(value);
    return this.d.placeholder(this.params.length);
  }

  private columnNames(): string[] {
    return this.ds.columns.map((c) => c.name);
  }
}

/** The SQL (with placeholders) and values of a dataset query; rowLimit + 1 rows are read to spot truncation. */
export function compileDatasetQuery(
  dataset: QueryableDataset,
  request: QueryDatasetRequest,
  dialect: QueryDialect,
  rlsPredicate: string | null,
  rowLimit: number,
): CompiledQuery {
  return new Compiler(dataset, request, dialect).compile(rlsPredicate, rowLimit);
}
