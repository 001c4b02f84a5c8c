import { DEFAULT_PREVIEW_FORMATS, PREVIEW_SIZE, type PreviewFormat } from '@meridian/contracts';
import type { Chart } from '@meridian/persistence';
import type { OwnerItem } from '../metadata/chart-catalog.repository';
import type { PreviewRequest } from '../previews/preview.service';
import type { DatasetModel } from '../query/dataset-model';
import type { ChartData } from '../query/dataset-query.client';

/** A saved chart as the chart tools answer it. */
export function chartView(chart: Chart, owners: OwnerItem[]) {
  return {
    id: chart.id,
    uuid: chart.uuid,
    slice_name: chart.sliceName,
    viz_type: chart.vizType,
    description: chart.description,
    dataset_id: chart.datasetId,
    params: chart.params,
    owners,
    ...(chart.changedOn ? { changed_on: new Date(chart.changedOn).toISOString() } : {}),
  };
}

export function datasetView(dataset: DatasetModel) {
  return { id: dataset.id, table_name: dataset.tableName, database_id: dataset.databaseId };
}

export function querySummary(data: ChartData) {
  return {
    row_count: data.row_count,
    truncated: data.truncated,
    execution_time_ms: data.execution_time_ms,
    sql: data.executed_sql,
  };
}

/** What a preview request asked for, with the defaults filled in. */
export function previewRequest(
  args: { preview_formats?: PreviewFormat[]; width?: number; height?: number; ascii_width?: number },
  link?: PreviewRequest['link'],
): PreviewRequest {
  return {
    formats: args.preview_formats ?? DEFAULT_PREVIEW_FORMATS,
    width: args.width ?? PREVIEW_SIZE.width.default,
    height: args.height ?? PREVIEW_SIZE.height.default,
    asciiWidth: args.ascii_width ?? PREVIEW_SIZE.ascii_width.default,
    link,
  };
}
