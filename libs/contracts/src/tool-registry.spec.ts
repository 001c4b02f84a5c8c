import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  InternalError,
  type MeridianError,
  NotFoundError,
  RateLimitError,
  ValidationError,
  type ErrorBody,
} from '@meridian/errors';
import { NoArgumentsRequest } from './dto/get-info.dto';
import { compactOutput } from './output-schemas';
import { EVENT_SUBJECT_PREFIX, SERVICE_NAMES } from './service-name';
import type { ToolSpec } from './tool-definition';
import { ALL_TOOL_SPECS, ToolRegistry, toolRegistry } from './tool-registry';

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** Calls validateArgs expecting a ValidationError and returns it. */
async function rejection(tool: string, args: unknown): Promise<MeridianError> {
  let thrown: unknown;
  try {
    await toolRegistry().validateArgs(tool, args);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  return thrown as MeridianError;
}

async function rejectedField(tool: string, args: unknown): Promise<unknown> {
  const err = await rejection(tool, args);
  expect(err.details?.tool).toBe(tool);
  return err.details?.field;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv;
}

describe('the tool registry', () => {
  const registry = toolRegistry();
  const tools = registry.list();

  it('is built once from ALL_TOOL_SPECS', () => {
    expect(toolRegistry()).toBe(registry);
    expect(tools.map((t) => t.name)).toEqual(ALL_TOOL_SPECS.map((s) => s.name));
    expect(tools.length).toBeGreaterThan(0);
  });

  it('has unique tool names', () => {
    const names = tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('routes every tool to meridian.rpc.<service>.<tool>, never to the event stream', () => {
    for (const tool of tools) {
      expect(SERVICE_NAMES).toContain(tool.service);
      expect(tool.subject).toBe(`meridian.rpc.${tool.service}.${tool.name}`);
      expect(tool.subject.startsWith(EVENT_SUBJECT_PREFIX)).toBe(false);
      expect(registry.subjectOf(tool.name)).toBe(tool.subject);
    }
  });

  it('groups tools by service', () => {
    for (const service of SERVICE_NAMES) {
      expect(registry.forService(service)).toEqual(tools.filter((t) => t.service === service));
    }
    expect(registry.forService('edge').map((t) => t.name)).toContain('health_check');
  });

  it('answers NotFoundError for an unknown tool', async () => {
    expect(registry.has('drop_everything')).toBe(false);
    expect(() => registry.get('drop_everything')).toThrow(NotFoundError);
    await expect(registry.validateArgs('drop_everything', {})).rejects.toBeInstanceOf(NotFoundError);
  });

  describe('input schemas', () => {
    it.each(tools.map((t) => [t.name, t] as const))(
      '%s is a closed object schema with no references',
      (_name, tool) => {
        expect(tool.inputSchema.type).toBe('object');
        expect(tool.inputSchema.additionalProperties).toBe(false);
        expect(typeof tool.inputSchema.properties).toBe('object');
        expect(JSON.stringify(tool.inputSchema)).not.toContain('$ref');
        expect(tool.inputSchema).not.toHaveProperty('definitions');
      },
    );

    it.each(tools.map((t) => [t.name, t] as const))('%s compiles under strict Ajv', (_name, tool) => {
      expect(() => newAjv().compile(tool.inputSchema)).not.toThrow();
    });

    it('describes list arguments and identifiers', () => {
      const list = registry.get('list_dashboards').inputSchema;
      expect(Object.keys(list.properties!).sort()).toEqual(
        [
          'filters',
          'force_refresh',
          'order_column',
          'order_direction',
          'page',
          'page_size',
          'search',
          'select_columns',
        ].sort(),
      );
      expect(registry.get('get_chart_info').inputSchema.required).toEqual(['identifier']);
      expect(registry.get('get_dataset_info').inputSchema.properties!.force_refresh).toMatchObject({
        type: 'boolean',
      });
      expect(registry.get('get_instance_info').inputSchema.properties).toEqual({});
    });

    it('accepts what validateArgs accepts and refuses what it refuses', async () => {
      const ajv = newAjv();
      const validList = ajv.compile(registry.get('list_dashboards').inputSchema);
      const good = { page: 2, page_size: 5, filters: [{ col: 'published', opr: 'eq', value: true }] };
      expect(validList(good)).toBe(true);
      await expect(registry.validateArgs('list_dashboards', good)).resolves.toBeDefined();
      expect(validList({ bogus: 1 })).toBe(false);
      expect(validList({ page_size: 101 })).toBe(false);
      expect(validList({ filters: [{ col: 'nope', opr: 'eq', value: 1 }] })).toBe(false);

      const validChart = ajv.compile(registry.get('get_chart_info').inputSchema);
      expect(validChart({ identifier: 7 })).toBe(true);
      expect(validChart({ identifier: UUID })).toBe(true);
      expect(validChart({ identifier: 0 })).toBe(false);
      expect(validChart({})).toBe(false);
    });
  });

  describe('output schemas', () => {
    const errorBodies: ErrorBody[] = [
      new NotFoundError('Dashboard 7 not found', { identifier: 7 }).toBody(),
      new ValidationError('Invalid arguments').toBody(),
      new RateLimitError('Too many requests', 3).toBody(),
      new InternalError().toBody(),
    ];

    it.each(tools.map((t) => [t.name, t] as const))(
      '%s admits its success shape or an error body',
      (_name, tool) => {
        expect(tool.outputSchema.type).toBe('object');
        expect(tool.outputSchema.anyOf).toEqual([
          compactOutput(tool.output),
          expect.objectContaining({ type: 'object' }),
        ]);
        expect(tool.outputSchema.anyOf).toHaveLength(2);

        const validate = newAjv().compile(tool.outputSchema);
        for (const body of errorBodies) {
          expect(validate(JSON.parse(JSON.stringify(body)))).toBe(true);
        }
        expect(validate({})).toBe(false);
        expect(validate({ error: 'x', timestamp: new Date().toISOString() })).toBe(false);
        expect(validate({ error: 7, error_type: 'NotFoundError', timestamp: new Date().toISOString() })).toBe(
          false,
        );
      },
    );
  });

  describe('construction', () => {
    const spec = (name: string): ToolSpec => ({
      ...ALL_TOOL_SPECS.find((s) => s.input === NoArgumentsRequest)!,
      name,
    });

    it('accepts well-named tools', () => {
      const local = new ToolRegistry([spec('probe_one'), spec('probe_two')]);
      expect(local.list().map((t) => t.name)).toEqual(['probe_one', 'probe_two']);
    });

    it('refuses a tool declared twice', () => {
      expect(() => new ToolRegistry([spec('probe'), spec('probe')])).toThrow(/probe/);
    });

    it.each(['Probe', 'probe-tool', '1probe', 'p', 'probe tool', '', 'x'.repeat(65)])(
      'refuses the tool name %j',
      (name) => {
        expect(() => new ToolRegistry([spec(name)])).toThrow(/name/);
      },
    );
  });
});

describe('validateArgs', () => {
  const registry = toolRegistry();

  describe('accepted arguments', () => {
    it('adds no defaults', async () => {
      expect(await registry.validateArgs('list_dashboards', {})).toEqual({});
      expect(await registry.validateArgs('list_dashboards', { page: 2 })).toEqual({ page: 2 });
      expect(await registry.validateArgs('get_instance_info', {})).toEqual({});
    });

    it('treats missing arguments as an empty object', async () => {
      expect(await registry.validateArgs('health_check', undefined)).toEqual({});
      expect(await registry.validateArgs('health_check', null)).toEqual({});
    });

    it('turns numbers written as text into numbers', async () => {
      expect(await registry.validateArgs('list_charts', { page: '3', page_size: '5' })).toEqual({
        page: 3,
        page_size: 5,
      });
    });

    it('keeps paging, search and ordering as given', async () => {
      const args = {
        page: 1,
        page_size: 100,
        search: 'sales',
        order_column: 'dashboard_title',
        order_direction: 'asc',
      };
      expect(await registry.validateArgs('list_dashboards', args)).toEqual(args);
    });

    it('keeps filters given as a list', async () => {
      const filters = [
        { col: 'id', opr: 'in', value: [1, 2] },
        { col: 'published', opr: 'eq', value: true },
        { col: 'changed_on', opr: 'gte', value: '2024-01-01' },
        { col: 'slug', opr: 'is_null' },
      ];
      expect(await registry.validateArgs('list_dashboards', { filters })).toEqual({ filters });
    });

    it('splits select_columns given as comma-separated text', async () => {
      expect(await registry.validateArgs('list_dashboards', { select_columns: 'id, slug,owners' })).toEqual({
        select_columns: ['id', 'slug', 'owners'],
      });
      expect(await registry.validateArgs('list_charts', { select_columns: '["id","viz_type"]' })).toEqual({
        select_columns: ['id', 'viz_type'],
      });
      expect(await registry.validateArgs('list_datasets', { select_columns: ['table_name'] })).toEqual({
        select_columns: ['table_name'],
      });
    });

    it.each(['get_chart_info', 'get_dataset_info', 'get_database_info', 'get_dashboard_info'])(
      '%s takes a numeric id, a numeric string or a UUID',
      async (tool) => {
        expect(await registry.validateArgs(tool, { identifier: 42 })).toEqual({ identifier: 42 });
        expect(await registry.validateArgs(tool, { identifier: '42' })).toEqual({ identifier: 42 });
        expect(await registry.validateArgs(tool, { identifier: UUID })).toEqual({ identifier: UUID });
        expect(await registry.validateArgs(tool, { identifier: UUID.toUpperCase() })).toEqual({
          identifier: UUID.toUpperCase(),
        });
      },
    );

    it('takes a slug for get_dashboard_info only', async () => {
      expect(await registry.validateArgs('get_dashboard_info', { identifier: 'world-health' })).toEqual({
        identifier: 'world-health',
      });
      for (const tool of ['get_chart_info', 'get_dataset_info', 'get_database_info']) {
        expect(await rejectedField(tool, { identifier: 'world-health' })).toBe('identifier');
      }
    });
  });

  describe('refused arguments', () => {
    it('names filters.0.value for opr in with a single value', async () => {
      expect(await rejectedField('list_dashboards', { filters: [{ col: 'id', opr: 'in', value: 5 }] })).toBe(
        'filters.0.value',
      );
    });

    it('names the failing filter by its position', async () => {
      const filters = [
        { col: 'id', opr: 'eq', value: 1 },
        { col: 'id', opr: 'eq', value: 'one' },
      ];
      const err = await rejection('list_dashboards', { filters });
      expect(err.details?.field).toBe('filters.1.value');
      expect(err.message).toContain('filters.1.value');
    });

    it('names filters.0.col for a column the model cannot filter on', async () => {
      const err = await rejection('list_databases', {
        filters: [{ col: 'password', opr: 'eq', value: 'x' }],
      });
      expect(err.details?.field).toBe('filters.0.col');
      expect(err.message).toContain('database_name');
    });

    it('names filters.0.opr for an unknown operator', async () => {
      expect(
        await rejectedField('list_charts', { filters: [{ col: 'id', opr: 'between', value: [1, 2] }] }),
      ).toBe('filters.0.opr');
    });

    it('names a field unknown inside a filter', async () => {
      expect(
        await rejectedField('list_charts', { filters: [{ col: 'id', opr: 'eq', value: 1, extra: true }] }),
      ).toBe('filters.0.extra');
    });

    it('names filters when they are not a list', async () => {
      expect(await rejectedField('list_charts', { filters: 'not json' })).toBe('filters');
      expect(await rejectedField('list_charts', { filters: { col: 'id', opr: 'eq', value: 1 } })).toBe(
        'filters',
      );
    });

    it.each([0, 101, 'abc', '', 2.5, -1])('names page_size for %j', async (pageSize) => {
      expect(await rejectedField('list_dashboards', { page_size: pageSize })).toBe('page_size');
    });

    it('names page for a page below 1', async () => {
      expect(await rejectedField('list_dashboards', { page: 0 })).toBe('page');
    });

    it('names an unknown field', async () => {
      const err = await rejection('list_dashboards', { bogus: 1 });
      expect(err.details?.field).toBe('bogus');
      expect(err.details?.problems).toEqual(['bogus: unknown field']);
    });

    it('refuses any argument for a tool that takes none', async () => {
      expect(await rejectedField('get_instance_info', { verbose: true })).toBe('verbose');
    });

    it('refuses search combined with filters', async () => {
      const err = await rejection('list_dashboards', {
        search: 'sales',
        filters: [{ col: 'published', opr: 'eq', value: true }],
      });
      expect(err.details?.field).toBe('search');
      expect(err.message).toContain('filters');
    });

    it('names select_columns for an unknown or repeated column', async () => {
      expect(await rejectedField('list_dashboards', { select_columns: 'id,password' })).toBe(
        'select_columns',
      );
      expect(await rejectedField('list_dashboards', { select_columns: ['id', 'id'] })).toBe('select_columns');
    });

    it('names order_column and order_direction', async () => {
      expect(await rejectedField('list_dashboards', { order_column: 'owners' })).toBe('order_column');
      expect(await rejectedField('list_dashboards', { order_direction: 'up' })).toBe('order_direction');
    });

    it.each([0, -3, 1.5, '0', 'not a uuid!', null, true])('names identifier for %j', async (identifier) => {
      expect(await rejectedField('get_chart_info', { identifier })).toBe('identifier');
    });

    it('names identifier when it is missing', async () => {
      expect(await rejectedField('get_dashboard_info', {})).toBe('identifier');
    });

    it.each(['abc', 5, true, [1, 2], [{ page: 1 }]])('refuses the non-object argument %j', async (args) => {
      const err = await rejection('list_dashboards', args);
      expect(err.details).toEqual({ tool: 'list_dashboards' });
      expect(err.message).toMatch(/object/);
    });

    it('lists every problem, not only the first', async () => {
      const err = await rejection('list_dashboards', { page: 0, page_size: 500, bogus: true });
      const problems = err.details?.problems as string[];
      expect(problems.some((p) => p.startsWith('page '))).toBe(true);
      expect(problems.some((p) => p.startsWith('page_size '))).toBe(true);
      expect(problems).toContain('bogus: unknown field');
      expect(err.message).toContain('list_dashboards');
    });
  });
});

describe('validateArgs on query-string forms', () => {
  it('accepts filters sent as JSON text, as REST GET does', async () => {
    const args = await toolRegistry().validateArgs<{ filters: { col: string; value: unknown }[] }>(
      'list_dashboards',
      { filters: '[{"col":"id","opr":"eq","value":1}]' },
    );
    expect(args.filters).toHaveLength(1);
    expect(args.filters[0]).toMatchObject({ col: 'id', opr: 'eq', value: 1 });
  });

  it.each([true, '0x10', '1e1', '', ' 5'])('refuses page_size %j', async (value) => {
    const error = await rejection('list_dashboards', { page_size: value });
    expect(error.details?.field).toBe('page_size');
  });
});
