import {
  GetChartInfoRequest,
  GetDashboardInfoRequest,
  GetDatabaseInfoRequest,
  GetDatasetInfoRequest,
  NoArgumentsRequest,
} from '../dto/get-info.dto';
import { createListQueryDto } from '../dto/list-query.dto';
import { CHART_LIST, DASHBOARD_LIST, DATABASE_LIST, DATASET_LIST } from '../list-models';
import {
  CHART_INFO_SCHEMA,
  DASHBOARD_INFO_SCHEMA,
  DATABASE_INFO_SCHEMA,
  DATASET_INFO_SCHEMA,
  INSTANCE_INFO_SCHEMA,
  listOutputSchema,
} from '../output-schemas';
import { READ_ONLY, READ_SCOPE, type ToolSpec } from '../tool-definition';

const PAGING =
  'Paged (page, page_size up to 100); filters [{col, opr, value}] (all must hold) or a text search; ' +
  'select_columns, order_column, order_direction.';

export const ListDashboardsRequest = createListQueryDto(DASHBOARD_LIST);
export const ListChartsRequest = createListQueryDto(CHART_LIST);
export const ListDatasetsRequest = createListQueryDto(DATASET_LIST);
export const ListDatabasesRequest = createListQueryDto(DATABASE_LIST);

export const CATALOG_TOOLS: ToolSpec[] = [
  {
    name: 'list_dashboards',
    title: 'List dashboards',
    description: `List dashboards the caller can see. ${PAGING}`,
    service: 'catalog',
    input: ListDashboardsRequest,
    output: listOutputSchema(DASHBOARD_LIST),
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Dashboard' },
  },
  {
    name: 'get_dashboard_info',
    title: 'Dashboard details',
    description:
      'Details of one dashboard by numeric id, UUID or slug: title, description, publication, ' +
      'owners, layout and the charts it holds.',
    service: 'catalog',
    input: GetDashboardInfoRequest,
    output: DASHBOARD_INFO_SCHEMA,
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Dashboard' },
  },
  {
    name: 'list_charts',
    title: 'List charts',
    description: `List saved charts the caller can see. ${PAGING}`,
    service: 'catalog',
    input: ListChartsRequest,
    output: listOutputSchema(CHART_LIST),
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Chart' },
  },
  {
    name: 'get_chart_info',
    title: 'Chart details',
    description:
      'Details of one saved chart by numeric id or UUID: type, configuration, dataset, owners ' +
      'and the dashboards it appears on.',
    service: 'catalog',
    input: GetChartInfoRequest,
    output: CHART_INFO_SCHEMA,
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Chart' },
  },
  {
    name: 'list_datasets',
    title: 'List datasets',
    description: `List datasets (tables and virtual datasets) the caller can see. ${PAGING}`,
    service: 'catalog',
    input: ListDatasetsRequest,
    output: listOutputSchema(DATASET_LIST),
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Dataset' },
  },
  {
    name: 'get_dataset_info',
    title: 'Dataset details',
    description:
      'Details of one dataset by numeric id or UUID: its columns (type, temporal, groupable, ' +
      'filterable) and saved metrics with their SQL expressions. Use before building a chart or query.',
    service: 'catalog',
    input: GetDatasetInfoRequest,
    output: DATASET_INFO_SCHEMA,
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Dataset' },
  },
  {
    name: 'list_databases',
    title: 'List databases',
    description: `List registered analytics databases. ${PAGING}`,
    service: 'catalog',
    input: ListDatabasesRequest,
    output: listOutputSchema(DATABASE_LIST),
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Database' },
  },
  {
    name: 'get_database_info',
    title: 'Database details',
    description:
      'Details of one registered database by numeric id or UUID: backend, SQL Lab exposure, ' +
      'whether DML is allowed, and its datasets. Connection secrets are never returned.',
    service: 'catalog',
    input: GetDatabaseInfoRequest,
    output: DATABASE_INFO_SCHEMA,
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Database' },
  },
  {
    name: 'get_instance_info',
    title: 'Instance overview',
    description:
      'Overview of this Meridian instance: counts of dashboards, charts, datasets and databases, ' +
      'breakdowns by backend and chart type, recent activity, and the calling user. A good first call.',
    service: 'catalog',
    input: NoArgumentsRequest,
    output: INSTANCE_INFO_SCHEMA,
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Dashboard' },
  },
];
