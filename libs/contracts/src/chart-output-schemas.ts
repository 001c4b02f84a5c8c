import type { JsonSchema } from './json-schema';
import { OWNER_SCHEMA } from './output-schemas';

const str: JsonSchema = { type: 'string' };
const nstr: JsonSchema = { type: ['string', 'null'] };
const int: JsonSchema = { type: 'integer' };
const bool: JsonSchema = { type: 'boolean' };
const num: JsonSchema = { type: 'number' };
const strings: JsonSchema = { type: 'array', items: str };

/**
 * A rendered image. Over MCP its bytes travel as an image content block (`data` is left out of
 * structuredContent); REST answers carry them here, base64.
 */
export const IMAGE_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    mime_type: { type: 'string', enum: ['image/png'] },
    width: int,
    height: int,
    bytes: int,
    data: { type: 'string', description: 'base64' },
  },
  required: ['mime_type', 'width', 'height', 'bytes'],
};

export const PREVIEWS_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    url: { type: 'string', description: 'Signed, expiring link to the chart page' },
    url_expires_at: { type: 'string', format: 'date-time' },
    ascii: str,
    table: str,
    vega_lite: { type: 'object' },
    png: IMAGE_SCHEMA,
  },
};

export const SAVED_CHART_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: int,
    uuid: str,
    slice_name: str,
    viz_type: str,
    description: nstr,
    dataset_id: int,
    params: { type: 'object' },
    owners: { type: 'array', items: OWNER_SCHEMA },
    changed_on: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'uuid', 'slice_name', 'viz_type', 'dataset_id', 'params', 'owners'],
};

const QUERY_SUMMARY: JsonSchema = {
  type: 'object',
  properties: {
    row_count: int,
    truncated: bool,
    execution_time_ms: num,
    sql: str,
  },
  required: ['row_count', 'truncated', 'sql'],
};

export const CHART_RESULT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    chart: { anyOf: [SAVED_CHART_SCHEMA, { type: 'null' }] },
    saved: bool,
    dataset: {
      type: 'object',
      properties: { id: int, table_name: str, database_id: int },
      required: ['id', 'table_name'],
    },
    config: { type: 'object', description: 'The chart configuration, defaults filled in' },
    query: QUERY_SUMMARY,
    previews: PREVIEWS_SCHEMA,
    warnings: strings,
  },
  required: ['chart', 'saved', 'dataset', 'config', 'previews', 'warnings'],
};

const COLUMNS: JsonSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: { name: str, type: str },
    required: ['name'],
  },
};

export const CHART_DATA_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    chart_id: int,
    format: { type: 'string', enum: ['json', 'csv'] },
    columns: COLUMNS,
    rows: { type: 'array', items: { type: 'object' } },
    csv: str,
    row_count: int,
    truncated: bool,
    truncation_reason: str,
    sql: str,
  },
  required: ['chart_id', 'format', 'columns', 'row_count', 'truncated'],
};

export const CHART_SQL_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    chart_id: int,
    dataset_id: int,
    database_id: int,
    sql: str,
    params: { type: 'array' },
  },
  required: ['chart_id', 'dataset_id', 'sql', 'params'],
};

export const CHART_PREVIEW_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    chart_id: { type: ['integer', 'null'] },
    format: str,
    width: int,
    height: int,
    ...PREVIEWS_SCHEMA.properties,
    warnings: strings,
  },
  required: ['chart_id', 'format', 'warnings'],
};

const LAYOUT_ITEM: JsonSchema = {
  type: 'object',
  properties: { chart_id: int, x: int, y: int, w: int, h: int },
  required: ['chart_id', 'x', 'y', 'w', 'h'],
};
const LAYOUT: JsonSchema = { type: 'array', items: LAYOUT_ITEM };

export const DASHBOARD_RESULT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    dashboard: {
      type: 'object',
      properties: {
        id: int,
        uuid: str,
        dashboard_title: str,
        slug: nstr,
        description: nstr,
        published: bool,
        charts: {
          type: 'array',
          items: {
            type: 'object',
            properties: { id: int, slice_name: str, viz_type: str },
            required: ['id', 'slice_name'],
          },
        },
        layout: LAYOUT,
        owners: { type: 'array', items: OWNER_SCHEMA },
      },
      required: ['id', 'uuid', 'dashboard_title', 'published', 'charts', 'layout', 'owners'],
    },
    added: bool,
    position: LAYOUT_ITEM,
    url: str,
    url_expires_at: { type: 'string', format: 'date-time' },
  },
  required: ['dashboard'],
};

export const EXPLORE_LINK_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    url: str,
    kind: { type: 'string', enum: ['chart', 'dashboard', 'explore'] },
    expires_at: { type: 'string', format: 'date-time' },
    user: str,
  },
  required: ['url', 'kind', 'expires_at', 'user'],
};

export const CHART_TYPE_SCHEMA_RESULT: JsonSchema = {
  type: 'object',
  properties: {
    chart_type: str,
    schema: { type: 'object' },
    example: { type: 'object' },
    dataset: {
      type: 'object',
      properties: { id: int, table_name: str },
      required: ['id', 'table_name'],
    },
    notes: strings,
  },
  required: ['chart_type', 'schema', 'example', 'notes'],
};
