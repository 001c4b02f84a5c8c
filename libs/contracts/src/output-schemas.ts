import type { JsonSchema } from './json-schema';
import type { ListModelSpec } from './list-models';

const str: JsonSchema = { type: 'string' };
const nstr: JsonSchema = { type: ['string', 'null'] };
const int: JsonSchema = { type: 'integer' };
const bool: JsonSchema = { type: 'boolean' };
const datetime: JsonSchema = { type: 'string', format: 'date-time' };

export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    error: str,
    error_type: str,
    timestamp: str,
  },
  required: ['error', 'error_type', 'timestamp'],
};

/**
 * An output schema as tools/list shows it: what clients check answers against and nothing more.
 * The answer's own fields stay; below them only required fields do, and an object two levels
 * down is only `{type}`. Descriptions and formats go. Loosening only: every answer the full
 * schema admits still passes.
 */
export function compactOutput(schema: JsonSchema): JsonSchema {
  const walk = (node: JsonSchema, depth: number): JsonSchema => {
    const isObject = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));
    if (depth >= 2 && isObject) return { type: node.type };
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'description' || key === 'format') continue;
      if (key === 'properties') {
        const kept = Object.entries(value as Record<string, JsonSchema>).filter(
          ([k]) => depth === 0 || (node.required ?? []).includes(k),
        );
        if (kept.length > 0)
          out.properties = Object.fromEntries(kept.map(([k, v]) => [k, walk(v, depth + 1)]));
      } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
        out[key] = walk(value as JsonSchema, depth);
      } else if (key === 'anyOf' || key === 'oneOf') {
        out[key] = (value as JsonSchema[]).map((v) => walk(v, depth));
      } else {
        out[key] = value;
      }
    }
    return out;
  };
  return walk(schema, 0);
}

/** SDK clients validate structuredContent against outputSchema even on errors: admit both. */
export function withError(success: JsonSchema): JsonSchema {
  return { type: 'object', anyOf: [success, ERROR_SCHEMA] };
}

export const OWNER_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { id: int, username: str, first_name: str, last_name: str },
  required: ['id', 'username'],
};
const owners: JsonSchema = { type: 'array', items: OWNER_SCHEMA };

const PAGINATION: Record<string, JsonSchema> = {
  count: int,
  total_count: int,
  page: int,
  page_size: int,
  total_pages: int,
  has_next: bool,
  has_previous: bool,
  columns_loaded: { type: 'array', items: str },
  truncated: bool,
  truncation_reason: str,
};

export function listOutputSchema(spec: ListModelSpec): JsonSchema {
  const kinds: Record<string, JsonSchema> = {
    string: nstr,
    integer: { type: ['integer', 'null'] },
    boolean: bool,
    datetime: { type: ['string', 'null'], format: 'date-time' },
  };
  const item: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(spec.fields).map(([k, kind]) => [k, kind === 'object' ? owners : kinds[kind]]),
    ),
  };
  return {
    type: 'object',
    properties: { [spec.itemsKey]: { type: 'array', items: item }, ...PAGINATION },
    required: [
      spec.itemsKey,
      'count',
      'total_count',
      'page',
      'page_size',
      'total_pages',
      'has_next',
      'has_previous',
    ],
  };
}

export const DASHBOARD_INFO_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: int,
    uuid: str,
    dashboard_title: str,
    slug: nstr,
    description: nstr,
    published: bool,
    chart_count: int,
    charts: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: int, uuid: str, slice_name: str, viz_type: str, dataset_id: int },
        required: ['id', 'slice_name', 'viz_type'],
      },
    },
    layout: {
      type: 'array',
      items: {
        type: 'object',
        properties: { chart_id: int, x: int, y: int, w: int, h: int },
        required: ['chart_id', 'x', 'y', 'w', 'h'],
      },
    },
    owners,
    created_on: datetime,
    changed_on: datetime,
  },
  required: ['id', 'uuid', 'dashboard_title', 'published', 'charts', 'owners'],
};

export const CHART_INFO_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: int,
    uuid: str,
    slice_name: str,
    viz_type: str,
    description: nstr,
    params: { type: 'object' },
    dataset_id: int,
    dataset_name: str,
    database_id: int,
    dashboards: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: int, dashboard_title: str, slug: nstr },
        required: ['id', 'dashboard_title'],
      },
    },
    owners,
    created_on: datetime,
    changed_on: datetime,
  },
  required: ['id', 'uuid', 'slice_name', 'viz_type', 'dataset_id', 'owners'],
};

export const DATASET_INFO_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: int,
    uuid: str,
    table_name: str,
    schema: nstr,
    database_id: int,
    database_name: str,
    description: nstr,
    main_dttm_col: nstr,
    kind: { type: 'string', enum: ['physical', 'virtual'] },
    sql: nstr,
    columns: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          column_name: str,
          verbose_name: nstr,
          type: nstr,
          is_dttm: bool,
          groupby: bool,
          filterable: bool,
          description: nstr,
          expression: nstr,
        },
        required: ['column_name', 'is_dttm', 'groupby', 'filterable'],
      },
    },
    metrics: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          metric_name: str,
          verbose_name: nstr,
          expression: str,
          description: nstr,
          d3format: nstr,
        },
        required: ['metric_name', 'expression'],
      },
    },
    owners,
    created_on: datetime,
    changed_on: datetime,
    truncated: bool,
    truncation_reason: str,
  },
  required: ['id', 'uuid', 'table_name', 'database_id', 'columns', 'metrics'],
};

export const DATABASE_INFO_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: int,
    uuid: str,
    database_name: str,
    backend: str,
    expose_in_sqllab: bool,
    allow_dml: bool,
    dataset_count: int,
    datasets: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: int, table_name: str, schema: nstr },
        required: ['id', 'table_name'],
      },
    },
    created_on: datetime,
    changed_on: datetime,
    connection: {
      type: 'object',
      description: 'Admins only: what the sql service found the last time it connected',
      properties: {
        status: { type: 'string', enum: ['ok', 'unreachable', 'unknown'] },
        checked_at: { type: ['string', 'null'], format: 'date-time' },
        last_error: nstr,
      },
      required: ['status', 'checked_at', 'last_error'],
    },
    // Admin only: what the sql service found about the login's powers, and the SQL settings.
    connection_privileges: {
      type: ['object', 'null'],
      properties: {
        privileged: bool,
        powers: { type: 'array', items: str },
        checked_at: datetime,
      },
    },
    allow_privileged_connection: bool,
    allowed_functions: { type: 'array', items: str },
  },
  required: ['id', 'uuid', 'database_name', 'backend'],
};

export const INSTANCE_INFO_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    version: str,
    instance_summary: {
      type: 'object',
      properties: {
        total_dashboards: int,
        total_charts: int,
        total_datasets: int,
        total_databases: int,
        total_users: int,
        published_dashboards: int,
      },
    },
    database_breakdown: { type: 'object', additionalProperties: int },
    chart_type_breakdown: { type: 'object', additionalProperties: int },
    recent_activity: {
      type: 'object',
      properties: {
        dashboards_changed_last_7_days: int,
        charts_changed_last_7_days: int,
      },
    },
    current_user: {
      type: 'object',
      properties: { id: int, username: str, roles: { type: 'array', items: str } },
    },
    timestamp: datetime,
  },
  required: ['version', 'instance_summary', 'current_user', 'timestamp'],
};

export const HEALTH_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['healthy'] },
    timestamp: datetime,
    version: str,
    uptime_seconds: { type: 'number' },
    mode: { type: 'string', enum: ['embedded', 'distributed'] },
  },
  required: ['status', 'timestamp', 'version'],
};
