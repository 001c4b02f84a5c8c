import type { ChartPlan } from './chart-plan';
import type { DatasetModel } from './dataset-model';

/** A name for a chart nobody named: what it shows, by what. */
export function chartTitle(plan: ChartPlan, dataset: DatasetModel): string {
  const metrics = plan.metrics.map((m) => m.title).join(', ');
  switch (plan.chartType) {
    case 'xy': {
      const by = [plan.x!.title, ...plan.groups.map((g) => g.title)].join(' and ');
      return cut(`${metrics} by ${by}`);
    }
    case 'pie':
      return cut(`${metrics} by ${plan.groups[0].title}`);
    case 'big_number':
      return cut(plan.x ? `${metrics} over ${plan.x.title}` : metrics);
    case 'table':
      return cut(`${dataset.tableName}: ${plan.columns.map((c) => c.title).join(', ')}`);
  }
}

function cut(title: string): string {
  return title.length <= 250 ? title : `${title.slice(0, 249)}~`;
}
