import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_TYPES, toolRegistry } from '@meridian/contracts';
import { configNames } from '../support/chart-fixtures';
import { ChartHarness, type Row } from './chart-harness';

const h = new ChartHarness();
const ajv = new Ajv({ strict: true, allErrors: true });

describe('get_chart_type_schema', () => {
  let datasets: { id: number; table_name: string }[];

  beforeAll(async () => {
    await h.start('chart_type_schema');
    datasets = await h.metaRows('SELECT id, table_name FROM datasets ORDER BY id');
  });
  afterAll(() => h.close());

  it('answers an example on every seeded dataset that passes the schema and that generate_chart draws', async () => {
    expect(datasets.length).toBeGreaterThanOrEqual(5);
    for (const dataset of datasets) {
      const names = await h.metaRows<{ name: string }>(
        `SELECT column_name AS name FROM dataset_columns WHERE dataset_id = $1
          UNION SELECT metric_name FROM dataset_metrics WHERE dataset_id = $1`,
        [dataset.id],
      );
      const known = new Set(['*', ...names.map((n) => n.name)]);
      for (const type of CHART_TYPES) {
        const label = `${dataset.table_name} ${type}`;
        const answer = await h.call('get_chart_type_schema', { chart_type: type, dataset_id: dataset.id });
        expect(answer.schema, label).toEqual(toolRegistry().chartTypeSchema(type));
        expect(answer.dataset, label).toEqual({ id: dataset.id, table_name: dataset.table_name });
        expect(answer.notes, label).toEqual([expect.stringContaining(`${dataset.table_name}'s own columns`)]);
        const example = answer.example as Row;
        const validate = ajv.compile(answer.schema as object);
        expect(validate(example), `${label}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        for (const name of configNames(example)) expect(known, label).toContain(name);
        const drawn = await h.call('generate_chart', {
          dataset_id: dataset.id,
          config: example,
          preview_formats: ['ascii'],
        });
        expect((drawn.query as { row_count: number }).row_count, label).toBeGreaterThan(0);
        expect((drawn.previews as { ascii?: string }).ascii, label).toBeTruthy();
      }
    }
  });

  it('answers a generic example without a dataset, one generate_chart’s arguments accept', async () => {
    for (const type of CHART_TYPES) {
      const answer = await h.call('get_chart_type_schema', { chart_type: type }, 'gary');
      expect(answer.dataset).toBeUndefined();
      expect(answer.notes).toEqual([expect.stringMatching(/made up: pass dataset_id/)]);
      expect(ajv.compile(answer.schema as object)(answer.example)).toBe(true);
      await expect(
        toolRegistry().validateArgs('generate_chart', { dataset_id: 1, config: answer.example }),
      ).resolves.toBeDefined();
    }
  });

  it('builds from a dataset gary may see, and answers one he may not see as not found', async () => {
    const births = await h.datasetId('birth_names');
    const orders = await h.datasetId('orders');
    const seen = await h.call('get_chart_type_schema', { chart_type: 'pie', dataset_id: births }, 'gary');
    expect(seen.dataset).toEqual({ id: births, table_name: 'birth_names' });
    const hidden = await h.refusal(
      'get_chart_type_schema',
      { chart_type: 'pie', dataset_id: orders },
      'gary',
    );
    const missing = await h.refusal(
      'get_chart_type_schema',
      { chart_type: 'pie', dataset_id: 999_999 },
      'gary',
    );
    expect(hidden).toMatchObject({ error_type: 'NotFoundError', error: 'Dataset not found' });
    expect(missing).toMatchObject({ error_type: 'NotFoundError', error: 'Dataset not found' });
    expect(JSON.stringify(hidden)).not.toContain('orders');
  });

  it('refuses an unknown chart type, and generate_chart’s config errors name the tool', async () => {
    const unknown = await h.refusal('get_chart_type_schema', { chart_type: 'radar' });
    expect(unknown).toMatchObject({ error_type: 'ValidationError', details: { field: 'chart_type' } });
    const refused = await h.refusal('generate_chart', {
      dataset_id: await h.datasetId('birth_names'),
      config: { chart_type: 'pie', dimension: { name: 'gender' } },
    });
    expect(refused.error_type).toBe('ValidationError');
    expect(refused.error).toMatch(/config\.metric.*get_chart_type_schema/);
  });
});
