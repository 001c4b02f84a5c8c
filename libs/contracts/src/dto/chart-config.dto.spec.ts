import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@meridian/errors';
import { toolRegistry } from '../tool-registry';
import { CHART_TYPES } from './chart-parts.dto';

const CHART_TOOLS = ['generate_chart', 'update_chart', 'get_chart_preview', 'generate_explore_link'];

function strictAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv;
}

async function refusal(tool: string, args: unknown): Promise<ValidationError> {
  const err = await toolRegistry()
    .validateArgs(tool, args)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

describe('the chart configuration in tools/list', () => {
  it.each(CHART_TOOLS)('%s lists config compactly, pointing to get_chart_type_schema', (tool) => {
    const config = toolRegistry().get(tool).inputSchema.properties!.config;
    expect(config).toMatchObject({
      type: 'object',
      properties: { chart_type: { type: 'string', enum: [...CHART_TYPES] } },
      required: ['chart_type'],
      additionalProperties: true,
    });
    expect(config.description).toMatch(/get_chart_type_schema/);
    expect(config).not.toHaveProperty('oneOf');
    expect(JSON.stringify(config).length).toBeLessThan(500);
  });

  it('lets an open config through the listed schema, and the server still validates it in full', async () => {
    const args = { dataset_id: 1, config: { chart_type: 'pie', dimension: { name: 'gender' } } };
    expect(strictAjv().compile(toolRegistry().get('generate_chart').inputSchema)(args)).toBe(true);
    const err = await refusal('generate_chart', args);
    expect(err.message).toMatch(/config\.metric/);
  });

  it.each([
    ['a missing required field', { chart_type: 'xy' }, /config\.y/],
    ['a field of another type', { chart_type: 'big_number', metric: { name: 'n' }, donut: true }, /donut/],
    ['an unknown chart_type', { chart_type: 'radar' }, /chart_type must be one of/],
  ])('names get_chart_type_schema when refusing %s', async (_case, config, field) => {
    const err = await refusal('generate_chart', { dataset_id: 1, config });
    expect(err.message).toMatch(field);
    expect(err.message).toMatch(/get_chart_type_schema answers each chart_type's full schema/);
  });

  it('does not name get_chart_type_schema for other arguments', async () => {
    const err = await refusal('generate_chart', {
      dataset_id: 0,
      config: { chart_type: 'table', columns: [{ name: 'a' }] },
    });
    expect(err.message).toMatch(/dataset_id/);
    expect(err.message).not.toMatch(/get_chart_type_schema/);
    expect((await refusal('list_charts', { page: 0 })).message).not.toMatch(/get_chart_type_schema/);
  });
});

describe('the full chart configuration schemas', () => {
  it.each(CHART_TYPES)('%s is closed, self-contained and compiles under strict Ajv', (type) => {
    const schema = toolRegistry().chartTypeSchema(type);
    expect(schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: { chart_type: { enum: [type] } },
    });
    expect(schema.required).toContain('chart_type');
    expect(JSON.stringify(schema)).not.toContain('$ref');
    expect(() => strictAjv().compile(schema)).not.toThrow();
  });

  it('agrees with the server on what a configuration may hold', async () => {
    const xy = strictAjv().compile(toolRegistry().chartTypeSchema('xy'));
    const good = {
      chart_type: 'xy',
      x: { name: 'ds' },
      y: [{ name: 'num', aggregate: 'SUM' }],
      stacked: true,
    };
    expect(xy(good)).toBe(true);
    await expect(
      toolRegistry().validateArgs('generate_chart', { dataset_id: 1, config: good }),
    ).resolves.toBeDefined();
    const bad = { ...good, y: [] };
    expect(xy(bad)).toBe(false);
    await refusal('generate_chart', { dataset_id: 1, config: bad });
  });

  it('puts the full configuration back in the full input schema of each chart tool', () => {
    for (const tool of CHART_TOOLS) {
      const full = toolRegistry().fullInputSchema(tool);
      expect(full.properties!.config).toEqual(toolRegistry().chartConfigSchema());
      expect({ ...full.properties, config: undefined }).toEqual({
        ...toolRegistry().get(tool).inputSchema.properties,
        config: undefined,
      });
    }
    expect(toolRegistry().fullInputSchema('list_charts')).toBe(toolRegistry().get('list_charts').inputSchema);
  });

  it('unites every type for the chart configuration reference', () => {
    const union = toolRegistry().chartConfigSchema();
    expect(union.oneOf).toEqual(CHART_TYPES.map((t) => toolRegistry().chartTypeSchema(t)));
    expect(() => strictAjv().compile(union)).not.toThrow();
  });
});
