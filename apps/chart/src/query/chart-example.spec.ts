import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { CHART_TYPES, toolRegistry, type ChartConfig, type ChartType } from '@meridian/contracts';
import { BIRTHS, configNames } from '../../../../test/support/chart-fixtures';
import { datasetExample, GENERIC_EXAMPLES } from './chart-example';
import { planChart } from './chart-plan';
import type { DatasetModel } from './dataset-model';

const col = (name: string, type: string | null, isDttm = false, groupby = true) => ({
  name,
  verboseName: null,
  type,
  isDttm,
  groupby,
  filterable: true,
});

const dataset = (name: string, columns: DatasetModel['columns'], metrics: string[] = []): DatasetModel => ({
  id: 9,
  uuid: '00000000-0000-4000-8000-000000000009',
  tableName: name,
  databaseId: 1,
  mainDttmCol: columns.find((c) => c.isDttm)?.name ?? null,
  columns,
  metrics: metrics.map((m) => ({ name: m, verboseName: null, d3format: null })),
});

/** Shapes of dataset an example must cope with. */
const DATASETS: DatasetModel[] = [
  BIRTHS,
  dataset('no_time_no_metric', [col('region', 'TEXT'), col('amount', 'NUMERIC(10,2)')]),
  dataset('numbers_only', [col('a', 'INTEGER'), col('b', 'BIGINT')]),
  dataset('time_and_text', [col('at', 'TIMESTAMP', true), col('label', 'VARCHAR(20)', false, false)]),
  dataset('untyped', [col('x', null)], ['total']),
];

const ajv = new Ajv({ strict: true, allErrors: true });
const validators = Object.fromEntries(
  CHART_TYPES.map((t) => [t, ajv.compile(toolRegistry().chartTypeSchema(t))]),
) as Record<ChartType, ReturnType<Ajv['compile']>>;

async function expectAccepted(type: ChartType, config: ChartConfig): Promise<void> {
  expect(validators[type](config), JSON.stringify(validators[type].errors)).toBe(true);
  await expect(
    toolRegistry().validateArgs('generate_chart', { dataset_id: 1, config }),
  ).resolves.toBeDefined();
}

describe('GENERIC_EXAMPLES', () => {
  it.each(CHART_TYPES)('%s passes its schema and generate_chart’s argument validation', async (type) => {
    expect(GENERIC_EXAMPLES[type].chart_type).toBe(type);
    await expectAccepted(type, GENERIC_EXAMPLES[type]);
  });
});

describe('datasetExample', () => {
  const cases = DATASETS.flatMap((d) => CHART_TYPES.map((t) => [d.tableName, t, d] as const));
  it.each(cases)(
    '%s, %s: uses the dataset’s names and passes the schema and planChart',
    async (_n, type, d) => {
      const example = datasetExample(type, d);
      expect(example?.chart_type).toBe(type);
      await expectAccepted(type, example!);
      expect(() => planChart(d, example!)).not.toThrow();
      const known = new Set(['*', ...d.columns.map((c) => c.name), ...d.metrics.map((m) => m.name)]);
      for (const name of configNames(example)) expect(known).toContain(name);
    },
  );

  it('charts births over time with a saved metric', () => {
    expect(datasetExample('xy', BIRTHS)).toEqual({
      chart_type: 'xy',
      kind: 'line',
      x: { name: 'ds' },
      y: [{ name: 'count', saved_metric: true }],
      time_grain: 'P1M',
    });
    expect(datasetExample('pie', BIRTHS)).toMatchObject({ dimension: { name: 'gender' } });
  });

  it('has nothing to offer for a dataset without columns', () => {
    for (const type of CHART_TYPES) expect(datasetExample(type, dataset('empty', []))).toBeUndefined();
  });
});
