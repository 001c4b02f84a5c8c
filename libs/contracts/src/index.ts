export type { Principal, RequestEnvelope, ToolRequest } from './principal';
export {
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
export { ALL_SCOPES, READ_SCOPE, SQL_SCOPE, WRITE_SCOPE } from './tool-definition';
export { ALL_TOOL_SPECS, ToolRegistry, toolRegistry } from './tool-registry';
