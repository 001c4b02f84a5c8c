export type { Principal, RequestEnvelope, ToolRequest } from './principal';
export {
  DEFAULT_METRICS_PORTS,
  EVENT_SUBJECT_PREFIX,
  SERVICE_NAMES,
  SUBJECT_PREFIX,
  isServiceName,
  queueGroup,
  rpcSubject,
  type BackendService,
  type ServiceName,
} from './service-name';
export type { JsonSchema } from './json-schema';
export {
  CHART_LIST,
  DASHBOARD_LIST,
  DATABASE_LIST,
  DATASET_LIST,
  FILTER_OPERATORS,
  type ColumnKind,
  type FilterOperator,
  type ListModelSpec,
} from './list-models';
export { filterValueProblem, type ListFilter, type ListQuery } from './dto/list-query.dto';
export {
  GetChartInfoRequest,
  GetDashboardInfoRequest,
  GetDatabaseInfoRequest,
  GetDatasetInfoRequest,
  NoArgumentsRequest,
} from './dto/get-info.dto';
export { ERROR_SCHEMA } from './output-schemas';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, isUuid } from './validation';
export type { ToolAnnotations, ToolDefinition, ToolPermission, ToolSpec } from './tool-definition';
export {
  ALL_SCOPES,
  READ_SCOPE,
  SQL_SCOPE,
  WRITE_SCOPE,
  scopeName,
  toolScopeNames,
  type ScopeNames,
} from './tool-definition';
export { ALL_TOOL_SPECS, ToolRegistry, toolRegistry } from './tool-registry';
export {
  MAX_CANCEL_KEY_LENGTH,
  SQL_CANCEL_SUBJECT,
  SQL_CANCEL_TOOL,
  sqlOverflowSubject,
  type SqlCancelArgs,
} from './tools/sql.tools';
export {
  DEFAULT_ROW_LIMIT,
  METRIC_AGGREGATES,
  QUERY_FILTER_OPS,
  TIME_GRAINS,
  queryFilterValueProblem,
  type MetricAggregate,
  type QueryDatasetFilter,
  type QueryDatasetMetric,
  type QueryDatasetOrder,
  type QueryDatasetRequest,
  type QueryFilterOp,
  type TimeGrain,
} from './dto/query-dataset.dto';
export {
  CHART_ROW_LIMITS,
  CHART_TYPES,
  XY_KINDS,
  type ChartColumnRef,
  type ChartFilter,
  type ChartType,
  type XyKind,
} from './dto/chart-parts.dto';
export {
  type BigNumberChartConfig,
  type ChartConfig,
  type PieChartConfig,
  type TableChartConfig,
  type XyChartConfig,
} from './dto/chart-config.dto';
export {
  DEFAULT_CHART_DATA_LIMIT,
  DEFAULT_PREVIEW_FORMATS,
  PREVIEW_SIZE,
  type GenerateChartRequest,
  type GetChartDataRequest,
  type GetChartPreviewRequest,
  type GetChartSqlRequest,
  type GetChartTypeSchemaRequest,
  type PreviewFormat,
  type UpdateChartRequest,
} from './dto/chart-requests.dto';
export {
  type AddChartToDashboardRequest,
  type GenerateDashboardRequest,
  type GenerateExploreLinkRequest,
} from './dto/dashboard-requests.dto';
export { IMAGE_SCHEMA } from './chart-output-schemas';
export { splitImages, type ImageContent } from './image-content';
