import {
  CHART_DATA_SCHEMA,
  CHART_PREVIEW_SCHEMA,
  CHART_RESULT_SCHEMA,
  CHART_SQL_SCHEMA,
  CHART_TYPE_SCHEMA_RESULT,
  DASHBOARD_RESULT_SCHEMA,
  EXPLORE_LINK_SCHEMA,
} from '../chart-output-schemas';
import {
  GenerateChartRequest,
  GetChartDataRequest,
  GetChartPreviewRequest,
  GetChartSqlRequest,
  GetChartTypeSchemaRequest,
  UpdateChartRequest,
} from '../dto/chart-requests.dto';
import {
  AddChartToDashboardRequest,
  GenerateDashboardRequest,
  GenerateExploreLinkRequest,
} from '../dto/dashboard-requests.dto';
import { READ_ONLY, READ_SCOPE, WRITE_SCOPE, type ToolSpec } from '../tool-definition';

const CONFIG_HELP =
  'config.chart_type is xy ({x, y: [metrics], kind: line|bar|area|scatter, group_by, time_grain, ' +
  'stacked, x_axis, y_axis, filters, row_limit}), table ({columns, filters, sort_by, row_limit}), ' +
  'pie ({dimension, metric, donut, row_limit}) or big_number ({metric, temporal_column, time_grain}). ' +
  'Columns and metrics are {name, aggregate?: SUM|COUNT|AVG|MIN|MAX|COUNT_DISTINCT, label?} or ' +
  '{name, saved_metric: true}; filters are {column, op, value}. get_chart_type_schema gives a ' +
  "type's full schema and an example for a dataset; unknown names are refused with suggestions.";

const CHART_TYPE_SCHEMA_HELP =
  "The full JSON Schema of one chart_type's config (the chart tools list it compactly) and a valid " +
  "example; with dataset_id the example uses that dataset's columns and saved metrics.";

const CHANGES = { readOnlyHint: false, destructiveHint: false, openWorldHint: false } as const;

export const CHART_TOOLS: ToolSpec[] = [
  {
    name: 'generate_chart',
    title: 'Generate chart',
    description:
      `Build a chart from a dataset and render previews (url, ascii, table, vega_lite, png). ${CONFIG_HELP} ` +
      'save_chart: true saves it; generate_preview and save_chart cannot both be false.',
    service: 'chart',
    input: GenerateChartRequest,
    output: CHART_RESULT_SCHEMA,
    annotations: { ...CHANGES, idempotentHint: false },
    scope: WRITE_SCOPE,
    permission: { action: 'can_write', resource: 'Chart' },
  },
  {
    name: 'update_chart',
    title: 'Update chart',
    description:
      'Change a saved chart (its owners or Admin): a new config (as for generate_chart), chart_name ' +
      'or description; returns previews of the result.',
    service: 'chart',
    input: UpdateChartRequest,
    output: CHART_RESULT_SCHEMA,
    annotations: { ...CHANGES, idempotentHint: true },
    scope: WRITE_SCOPE,
    permission: { action: 'can_write', resource: 'Chart' },
  },
  {
    name: 'get_chart_data',
    title: 'Chart data',
    description:
      'The rows a saved chart shows to the caller (row-level security applies), as JSON rows or CSV ' +
      'text, at most limit rows.',
    service: 'chart',
    input: GetChartDataRequest,
    output: CHART_DATA_SCHEMA,
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Chart' },
  },
  {
    name: 'get_chart_sql',
    title: 'Chart SQL',
    description:
      'The SQL a saved chart runs for the caller, row-level security included, with its bound parameters.',
    service: 'chart',
    input: GetChartSqlRequest,
    output: CHART_SQL_SCHEMA,
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Chart' },
  },
  {
    name: 'get_chart_preview',
    title: 'Chart preview',
    description:
      'Render a saved chart (identifier), or an unsaved one (dataset_id + config), as ascii, table, ' +
      'vega_lite (a Vega-Lite spec with the data inline), png (an image) or url (a signed page link).',
    service: 'chart',
    input: GetChartPreviewRequest,
    output: CHART_PREVIEW_SCHEMA,
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Chart' },
  },
  {
    name: 'get_chart_type_schema',
    title: 'Chart type schema',
    description: CHART_TYPE_SCHEMA_HELP,
    service: 'chart',
    input: GetChartTypeSchemaRequest,
    output: CHART_TYPE_SCHEMA_RESULT,
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Chart' },
  },
  {
    name: 'generate_dashboard',
    title: 'Generate dashboard',
    description:
      'Create a dashboard holding saved charts (chart_ids, laid out two per row), owned by the caller. ' +
      'Every chart must be visible to the caller.',
    service: 'chart',
    input: GenerateDashboardRequest,
    output: DASHBOARD_RESULT_SCHEMA,
    annotations: { ...CHANGES, idempotentHint: false },
    scope: WRITE_SCOPE,
    permission: { action: 'can_write', resource: 'Dashboard' },
  },
  {
    name: 'add_chart_to_existing_dashboard',
    title: 'Add chart to dashboard',
    description:
      'Place a saved chart on a dashboard (its owners or Admin) in the next free grid slot; a chart ' +
      'already there stays where it is.',
    service: 'chart',
    input: AddChartToDashboardRequest,
    output: DASHBOARD_RESULT_SCHEMA,
    annotations: { ...CHANGES, idempotentHint: true },
    scope: WRITE_SCOPE,
    permission: { action: 'can_write', resource: 'Dashboard' },
  },
  {
    name: 'generate_explore_link',
    title: 'Explore link',
    description:
      'A signed, expiring link to a page showing a saved chart (chart_id), a dashboard (dashboard_id) ' +
      'or an unsaved chart (dataset_id + config), for the caller only. Open it in a browser.',
    service: 'chart',
    input: GenerateExploreLinkRequest,
    output: EXPLORE_LINK_SCHEMA,
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Chart' },
  },
];
