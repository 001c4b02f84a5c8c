import { describe, expect, it } from 'vitest';
import type { ChartConfig } from '@meridian/contracts';
import { ValidationError } from '@meridian/errors';
import { planChart } from './chart-plan';
import { BIRTHS } from '../../../../test/support/chart-fixtures';
import { suggestionsFor } from './suggest';

function refusal(config: unknown): ValidationError {
  try {
    planChart(BIRTHS, config as ChartConfig);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('planChart accepted the configuration');
}

describe('planChart', () => {
  it('plans an xy chart on the main time column with a grain, series and a saved metric', () => {
    const plan = planChart(BIRTHS, {
      chart_type: 'xy',
      y: [{ name: 'sum__num', saved_metric: true }],
      group_by: [{ name: 'gender' }],
      time_grain: 'P1Y',
    });
    expect(plan.vizType).toBe('echarts_timeseries_line');
    expect(plan.config).toMatchObject({ x: { name: 'ds' }, kind: 'line' });
    expect(plan.query).toEqual({
      group_by: ['ds', 'gender'],
      metrics: [{ name: 'sum__num', saved_metric: true, label: 'sum__num' }],
      filters: [],
      time_column: 'ds',
      time_grain: 'P1Y',
      order_by: [{ name: 'ds', direction: 'asc' }],
      row_limit: 10_000,
    });
    expect(plan.metrics[0].title).toBe('Births');
  });

  it('orders a categorical bar chart by its first metric, largest first', () => {
    const plan = planChart(BIRTHS, {
      chart_type: 'xy',
      x: { name: 'state' },
      y: [{ name: 'num', aggregate: 'SUM', label: 'Births' }],
      kind: 'bar',
    });
    expect(plan.query.order_by).toEqual([{ name: 'Births', direction: 'desc' }]);
    expect(plan.query.metrics).toEqual([{ name: 'num', aggregate: 'SUM', label: 'Births' }]);
  });

  it('plans a raw table, an aggregated table, a pie and a big number', () => {
    expect(
      planChart(BIRTHS, {
        chart_type: 'table',
        columns: [{ name: 'name' }, { name: 'state' }],
        row_limit: 5,
      }).query,
    ).toEqual({ columns: ['name', 'state'], filters: [], order_by: [], row_limit: 5 });
    const agg = planChart(BIRTHS, {
      chart_type: 'table',
      columns: [{ name: 'name' }, { name: 'num', aggregate: 'SUM' }],
      sort_by: [{ name: 'name' }],
    });
    expect(agg.query).toMatchObject({
      group_by: ['name'],
      metrics: [{ name: 'num', aggregate: 'SUM', label: 'SUM(num)' }],
      order_by: [{ name: 'name', direction: 'asc' }],
      row_limit: 1000,
    });
    const pie = planChart(BIRTHS, {
      chart_type: 'pie',
      dimension: { name: 'gender' },
      metric: { name: 'count' },
    });
    expect(pie.query).toMatchObject({ group_by: ['gender'], row_limit: 100 });
    expect(pie.query.metrics).toEqual([{ name: 'count', saved_metric: true, label: 'count' }]);
    const big = planChart(BIRTHS, {
      chart_type: 'big_number',
      metric: { name: 'num', aggregate: 'SUM' },
      temporal_column: 'ds',
      time_grain: 'P1Y',
    });
    expect(big.vizType).toBe('big_number');
    expect(big.query).toMatchObject({ group_by: ['ds'], time_column: 'ds', time_grain: 'P1Y' });
  });

  it('suggests the names the dataset has for an unknown one, naming the field', () => {
    const err = refusal({ chart_type: 'xy', x: { name: 'stat' }, y: [{ name: 'count' }] });
    expect(err.message).toBe('Unknown column "stat" in config.x.name; did you mean "state"?');
    expect(err.details).toEqual({ field: 'config.x.name', suggestions: ['state'] });
    const metric = refusal({ chart_type: 'pie', dimension: { name: 'gender' }, metric: { name: 'sum_num' } });
    expect(metric.details?.field).toBe('config.metric.name');
    expect(metric.details?.suggestions).toContain('sum__num');
  });

  it('names the field of a metric without aggregate, a grain on a non-temporal axis and a bad filter', () => {
    expect(refusal({ chart_type: 'xy', y: [{ name: 'num' }] }).details?.field).toBe('config.y.0.aggregate');
    expect(
      refusal({ chart_type: 'xy', x: { name: 'state' }, y: [{ name: 'count' }], time_grain: 'P1M' }).details
        ?.field,
    ).toBe('config.time_grain');
    expect(
      refusal({
        chart_type: 'xy',
        y: [{ name: 'count' }],
        filters: [{ column: 'num', op: '>', value: 'many' }],
      }).details?.field,
    ).toBe('config.filters.0.value');
    expect(
      refusal({ chart_type: 'table', columns: [{ name: 'name' }], sort_by: [{ name: 'nme' }] }).details
        ?.field,
    ).toBe('config.sort_by.0.name');
    expect(
      refusal({
        chart_type: 'xy',
        y: [
          { name: 'num', aggregate: 'SUM' },
          { name: 'num', aggregate: 'SUM' },
        ],
      }).details?.field,
    ).toBe('config.y.1');
  });
});

describe('suggestionsFor', () => {
  it('offers close names, nearest first, and nothing for a stranger', () => {
    expect(suggestionsFor('gendr', ['name', 'gender', 'state'])).toEqual(['gender']);
    expect(suggestionsFor('revenue', ['revenue_usd', 'quantity'])).toEqual(['revenue_usd']);
    expect(suggestionsFor('zzzzzz', ['name', 'gender'])).toEqual([]);
  });
});
