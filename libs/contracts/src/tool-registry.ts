import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError as CvError } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { NotFoundError, ValidationError } from '@meridian/errors';
import { CHART_CONFIG_CLASSES, CHART_SCHEMA_TOOL, chartConfigFields } from './dto/chart-config.dto';
import { CHART_TYPES, type ChartType } from './dto/chart-parts.dto';
import { inlineRefs, type JsonSchema } from './json-schema';
import { compactOutput, withError } from './output-schemas';
import { rpcSubject, type ServiceName } from './service-name';
import type { ToolDefinition, ToolSpec } from './tool-definition';
import { forbiddenCharacters } from './validation';
import { AUDIT_TOOLS } from './tools/audit.tools';
import { CATALOG_TOOLS } from './tools/catalog.tools';
import { CHART_TOOLS } from './tools/chart.tools';
import { EDGE_TOOLS } from './tools/edge.tools';
import { SQL_TOOLS } from './tools/sql.tools';

const TOOL_NAME = /^[a-z][a-z0-9_]{1,63}$/;

function formatErrors(errors: CvError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = `${prefix}${e.property}`;
    const own = Object.entries(e.constraints ?? {}).map(([rule, m]) => {
      if (rule === 'whitelistValidation') return `${path}: unknown field`;
      return m.includes(e.property) ? m.replace(e.property, path) : `${path}: ${m}`;
    });
    return own.concat(formatErrors(e.children ?? [], `${path}.`));
  });
}

function firstPath(errors: CvError[], prefix = ''): string | undefined {
  const e = errors[0];
  if (!e) return undefined;
  const path = `${prefix}${e.property}`;
  return e.constraints ? path : (firstPath(e.children ?? [], `${path}.`) ?? path);
}

/**
 * Every tool, declared once. tools/list, the REST routes, the transport subjects and each
 * service's handlers are derived from here.
 */
export class ToolRegistry {
  private readonly byName = new Map<string, ToolDefinition>();
  private readonly configFields = new Map<string, readonly string[]>();
  private readonly chartTypes: Record<ChartType, JsonSchema>;

  constructor(specs: ToolSpec[]) {
    const definitions = validationMetadatasToSchemas({
      refPointerPrefix: '#/definitions/',
    }) as Record<string, JsonSchema>;
    this.chartTypes = Object.fromEntries(
      CHART_TYPES.map((t) => [
        t,
        { ...inlineRefs(definitions[CHART_CONFIG_CLASSES[t].name], definitions), type: 'object' },
      ]),
    ) as Record<ChartType, JsonSchema>;
    for (const spec of specs) {
      if (!TOOL_NAME.test(spec.name)) throw new Error(`Invalid tool name ${spec.name}`);
      if (this.byName.has(spec.name)) throw new Error(`Tool ${spec.name} declared twice`);
      const own = definitions[spec.input.name] ?? { type: 'object', properties: {} };
      const inputSchema: JsonSchema = {
        ...inlineRefs(own, definitions),
        type: 'object',
        additionalProperties: false,
      };
      if (!inputSchema.properties) inputSchema.properties = {};
      this.configFields.set(spec.name, chartConfigFields(spec.input));
      this.byName.set(spec.name, {
        ...spec,
        subject: rpcSubject(spec.service, spec.name),
        inputSchema,
        // `output` stays the full shape an answer has; tools/list shows only what clients check.
        outputSchema: withError(compactOutput(spec.output)),
      });
    }
  }

  list(): ToolDefinition[] {
    return [...this.byName.values()];
  }

  forService(service: ServiceName): ToolDefinition[] {
    return this.list().filter((t) => t.service === service);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): ToolDefinition {
    const tool = this.byName.get(name);
    if (!tool) throw new NotFoundError(`Unknown tool: ${name}`, { tool: name });
    return tool;
  }

  subjectOf(name: string): string {
    return this.get(name).subject;
  }

  /** One chart type's full configuration schema, references inlined, as the server validates it. */
  chartTypeSchema(type: ChartType): JsonSchema {
    return this.chartTypes[type];
  }

  /**
   * The tool's input schema with each chart configuration in full instead of compact: every
   * argument as the server validates it (tools/list keeps the compact form).
   */
  fullInputSchema(name: string): JsonSchema {
    const schema = this.get(name).inputSchema;
    const fields = this.configFields.get(name) ?? [];
    if (fields.length === 0) return schema;
    const full = this.chartConfigSchema();
    return {
      ...schema,
      properties: Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([k, v]) => [k, fields.includes(k) ? full : v]),
      ),
    };
  }

  /** Every chart type's configuration schema: what a `config` argument is validated against. */
  chartConfigSchema(): JsonSchema {
    return {
      description: 'Chart configuration, by chart_type: xy, table, pie or big_number',
      oneOf: CHART_TYPES.map((t) => this.chartTypes[t]),
    };
  }

  /**
   * Validates raw arguments against the tool's DTO, rejecting unknown fields; returns the
   * transformed arguments or throws a ValidationError naming the offending field(s).
   */
  async validateArgs<T extends object = Record<string, unknown>>(name: string, args: unknown): Promise<T> {
    const tool = this.get(name);
    const given = args ?? {};
    if (typeof given !== 'object' || Array.isArray(given)) {
      throw new ValidationError('Tool arguments must be a JSON object', { tool: name });
    }
    const forbidden = forbiddenCharacters(given);
    if (forbidden) {
      throw new ValidationError(`Invalid arguments for ${name}: ${forbidden.path} ${forbidden.message}`, {
        tool: name,
        field: forbidden.path,
      });
    }
    // An explicit null for an argument means what leaving it out means; a required one is then missing.
    const raw = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== null));
    const instance = plainToInstance(tool.input, raw) as T;
    const errors = await validate(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: false,
      validationError: { target: false, value: false },
    });
    if (errors.length > 0) {
      const problems = formatErrors(errors);
      const configs = this.configFields.get(name) ?? [];
      const hint = errors.some((e) => configs.includes(e.property))
        ? ` (${CHART_SCHEMA_TOOL} answers each chart_type's full schema and a valid example)`
        : '';
      throw new ValidationError(`Invalid arguments for ${name}: ${problems.join('; ')}${hint}`, {
        tool: name,
        field: firstPath(errors),
        problems,
      });
    }
    return instance;
  }
}

export const ALL_TOOL_SPECS: ToolSpec[] = [
  ...EDGE_TOOLS,
  ...CATALOG_TOOLS,
  ...SQL_TOOLS,
  ...CHART_TOOLS,
  ...AUDIT_TOOLS,
];

let shared: ToolRegistry | undefined;

/** The process-wide registry, built on first use (schemas are derived once, never per request). */
export function toolRegistry(): ToolRegistry {
  shared ??= new ToolRegistry(ALL_TOOL_SPECS);
  return shared;
}
