import type {
  ChartColumnRef,
  ChartFilter,
  MetricAggregate,
  QueryDatasetFilter,
  QueryDatasetMetric,
} from '@meridian/contracts';
import { ValidationError } from '@meridian/errors';
import { isNumericType, type DatasetColumnModel, type DatasetModel } from './dataset-model';
import { suggestionsFor } from './suggest';

/** A metric of the chart: its result column (`key`), how it is shown, and how it is queried. */
export interface ResolvedMetric {
  key: string;
  title: string;
  format?: string;
  query: QueryDatasetMetric;
}

/** A column of the dataset used as a dimension: its result column is its own name. */
export interface ResolvedColumn {
  key: string;
  title: string;
  column: DatasetColumnModel;
}

function unknownName(kind: string, name: string, field: string, known: readonly string[]): ValidationError {
  const suggestions = suggestionsFor(name, known);
  const hint =
    suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => JSON.stringify(s)).join(', ')}?` : '';
  return new ValidationError(`Unknown ${kind} ${JSON.stringify(name.slice(0, 255))} in ${field}${hint}`, {
    field,
    suggestions,
  });
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`${field}: ${message}`, { field });
}

/**
 * Checks the names a chart configuration uses against its dataset, with "did you mean"
 * suggestions for unknown ones, and turns them into what the dataset query needs. Field paths
 * are written as the argument validation writes them (`config.y.0.name`).
 */
export class ConfigResolver {
  private readonly columns: Map<string, DatasetColumnModel>;
  private readonly metricNames: Map<string, DatasetModel['metrics'][number]>;

  constructor(readonly dataset: DatasetModel) {
    this.columns = new Map(dataset.columns.map((c) => [c.name, c]));
    this.metricNames = new Map(dataset.metrics.map((m) => [m.name, m]));
  }

  /** A dimension: a plain column (no aggregate), optionally required to be temporal. */
  dimension(ref: ChartColumnRef | string, field: string, opts: { temporal?: boolean } = {}): ResolvedColumn {
    const r = typeof ref === 'string' ? { name: ref } : ref;
    const nameField = typeof ref === 'string' ? field : `${field}.name`;
    if (typeof ref !== 'string' && r.aggregate) {
      throw invalid(`${field}.aggregate`, 'a dimension takes no aggregate');
    }
    if (typeof ref !== 'string' && r.saved_metric) {
      throw invalid(`${field}.saved_metric`, 'a dimension must be a column, not a saved metric');
    }
    const column = this.columns.get(r.name);
    if (!column) throw unknownName('column', r.name, nameField, [...this.columns.keys()]);
    if (opts.temporal && !column.isDttm) {
      const temporal = this.dataset.columns.filter((c) => c.isDttm).map((c) => c.name);
      throw invalid(
        nameField,
        `column ${JSON.stringify(r.name)} is not temporal` +
          (temporal.length
            ? ` (temporal columns: ${temporal.join(', ')})`
            : ' and the dataset has no temporal column'),
      );
    }
    const label = typeof ref === 'string' ? undefined : ref.label;
    return { key: column.name, title: label ?? column.verboseName ?? column.name, column };
  }

  /** A metric: a saved metric, or an aggregate of a column ("*" with COUNT). */
  metric(ref: ChartColumnRef, field: string): ResolvedMetric {
    const saved = this.metricNames.get(ref.name);
    if (ref.saved_metric || (!ref.aggregate && saved)) {
      if (!saved) throw unknownName('saved metric', ref.name, `${field}.name`, [...this.metricNames.keys()]);
      if (ref.aggregate) throw invalid(`${field}.aggregate`, 'a saved metric takes no aggregate');
      const key = ref.label ?? saved.name;
      return {
        key,
        title: ref.label ?? saved.verboseName ?? saved.name,
        format: saved.d3format ?? undefined,
        query: { name: saved.name, saved_metric: true, label: key },
      };
    }
    if (!ref.aggregate) {
      if (this.columns.has(ref.name)) {
        throw invalid(
          `${field}.aggregate`,
          `column ${JSON.stringify(ref.name)} needs an aggregate (SUM, COUNT, AVG, MIN, MAX, COUNT_DISTINCT)` +
            (this.metricNames.size
              ? `, or name a saved metric (${[...this.metricNames.keys()].join(', ')})`
              : ''),
        );
      }
      throw unknownName('metric or column', ref.name, `${field}.name`, [
        ...this.metricNames.keys(),
        ...this.columns.keys(),
      ]);
    }
    if (ref.name === '*') {
      if (ref.aggregate !== 'COUNT') throw invalid(`${field}.name`, '"*" only goes with COUNT');
    } else {
      const column = this.columns.get(ref.name);
      if (!column) throw unknownName('column', ref.name, `${field}.name`, [...this.columns.keys()]);
      if (numericOnly(ref.aggregate) && !isNumericType(column.type) && column.type !== null) {
        throw invalid(
          `${field}.aggregate`,
          `${ref.aggregate} needs a numeric column; ${JSON.stringify(ref.name)} is ${column.type}`,
        );
      }
    }
    const key = ref.label ?? `${ref.aggregate}(${ref.name})`;
    return { key, title: key, query: { name: ref.name, aggregate: ref.aggregate, label: key } };
  }

  filters(filters: readonly ChartFilter[] | undefined, field: string): QueryDatasetFilter[] {
    return (filters ?? []).map((f, i) => {
      const path = `${field}.${i}`;
      const column = this.columns.get(f.column);
      if (!column) throw unknownName('column', f.column, `${path}.column`, [...this.columns.keys()]);
      if (!column.filterable)
        throw invalid(`${path}.column`, `column ${JSON.stringify(f.column)} is not filterable`);
      if (isNumericType(column.type)) {
        const values = Array.isArray(f.value) ? f.value : [f.value];
        const bad = values.find(
          (v) => !(typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))),
        );
        if (bad !== undefined && !['LIKE', 'ILIKE'].includes(f.op)) {
          throw invalid(
            `${path}.value`,
            `column ${JSON.stringify(f.column)} holds numbers; got ${JSON.stringify(bad)}`,
          );
        }
      }
      return { column: f.column, op: f.op, value: f.value };
    });
  }

  /** Refuses two result columns with one name: the rows could not tell them apart. */
  assertDistinct(keys: { key: string; field: string }[]): void {
    const seen = new Set<string>();
    for (const { key, field } of keys) {
      if (seen.has(key))
        throw invalid(field, `${JSON.stringify(key)} is used twice; give one a distinct label`);
      seen.add(key);
    }
  }
}

function numericOnly(aggregate: MetricAggregate): boolean {
  return aggregate === 'SUM' || aggregate === 'AVG';
}
