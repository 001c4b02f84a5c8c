import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { JsonSchema } from './json-schema';
import { compactOutput, DATASET_INFO_SCHEMA } from './output-schemas';
import { ALL_TOOL_SPECS, toolRegistry } from './tool-registry';

describe('compactOutput', () => {
  it.each(ALL_TOOL_SPECS.map((s) => [s.name, s] as const))(
    '%s keeps the answer’s own fields and what they require',
    (name, spec) => {
      const tool = toolRegistry().get(name);
      expect(tool.output).toBe(spec.output);
      const listed = (tool.outputSchema.anyOf as JsonSchema[])[0];
      expect(listed).toEqual(compactOutput(spec.output));
      expect(Object.keys(listed.properties ?? {})).toEqual(Object.keys(spec.output.properties ?? {}));
      expect(listed.required).toEqual(spec.output.required);
      expect(JSON.stringify(listed)).not.toMatch(/"(description|format)":"/);
    },
  );

  it('admits every answer the full schema admits, and refuses a missing required field', () => {
    const ajv = new Ajv({ strict: true });
    addFormats(ajv);
    const full = ajv.compile(DATASET_INFO_SCHEMA);
    const compact = ajv.compile(compactOutput(DATASET_INFO_SCHEMA));
    const answer = {
      id: 3,
      uuid: 'u',
      table_name: 'birth_names',
      database_id: 1,
      main_dttm_col: 'ds',
      columns: [
        {
          column_name: 'ds',
          is_dttm: true,
          groupby: true,
          filterable: true,
          type: 'DATE',
          verbose_name: null,
        },
      ],
      metrics: [{ metric_name: 'count', expression: 'COUNT(*)', d3format: null }],
      owners: [{ id: 1, username: 'admin', first_name: 'A', last_name: 'B' }],
      created_on: '2026-01-01T00:00:00.000Z',
    };
    expect(full(answer)).toBe(true);
    expect(compact(answer)).toBe(true);
    const { columns: _columns, ...withoutColumns } = answer;
    expect(compact(withoutColumns)).toBe(false);
    expect(compact({ ...answer, columns: [{ column_name: 'ds' }] })).toBe(false);
  });

  it('reduces objects below the answer’s fields to their type', () => {
    const schema = compactOutput({
      type: 'object',
      properties: {
        chart: {
          type: 'object',
          description: 'x',
          properties: { owners: { type: 'array', items: { type: 'object', properties: { id: {} } } } },
          required: ['owners'],
        },
      },
    });
    expect(schema).toEqual({
      type: 'object',
      properties: {
        chart: {
          type: 'object',
          properties: { owners: { type: 'array', items: { type: 'object' } } },
          required: ['owners'],
        },
      },
    });
  });
});
