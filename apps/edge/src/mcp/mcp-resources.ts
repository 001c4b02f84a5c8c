import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  type ListResourcesResult,
  type ListResourceTemplatesResult,
  type ReadResourceResult,
  type Resource,
} from '@modelcontextprotocol/sdk/types.js';
import { toolRegistry, type Principal } from '@meridian/contracts';
import { ErrorType, MeridianError, toMeridianError } from '@meridian/errors';
import { ToolDispatcher, type CallMeta } from '../tools/tool-dispatcher.service';
import { resourceTarget } from './resource-uris';

/**
 * A JSON-RPC error whose message reaches the client as written (the SDK's McpError puts "MCP error
 * <code>:" in front of its message, and the client adds that again).
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** JSON-RPC error of a resource that does not exist (or the caller may not see): MCP's -32002. */
export const RESOURCE_NOT_FOUND = -32002;

const JSON_MIME = 'application/json';
const LIST_PAGE = 50;

type Structured = Record<string, unknown>;
type Call = (tool: string, args: Structured) => Promise<Structured>;

/** The kinds of catalog item that are resources, with the tool that lists them and the one that reads one. */
const ITEMS = {
  datasets: {
    list: 'list_datasets',
    key: 'datasets',
    read: 'get_dataset_info',
    uri: (id: number) => `meridian://datasets/${id}/schema`,
    name: (i: Structured) => String(i.table_name),
    describe: (i: Structured) =>
      `Columns, types, saved metrics and main time column of ${String(i.table_name)}`,
  },
  charts: {
    list: 'list_charts',
    key: 'charts',
    read: 'get_chart_info',
    uri: (id: number) => `meridian://charts/${id}`,
    name: (i: Structured) => String(i.slice_name),
    describe: (i: Structured) => `Configuration of the chart ${String(i.slice_name)}`,
  },
  dashboards: {
    list: 'list_dashboards',
    key: 'dashboards',
    read: 'get_dashboard_info',
    uri: (id: number) => `meridian://dashboards/${id}`,
    name: (i: Structured) => String(i.dashboard_title),
    describe: (i: Structured) => `Charts and layout of the dashboard ${String(i.dashboard_title)}`,
  },
} as const;
type ItemKind = keyof typeof ITEMS;
const KINDS = Object.keys(ITEMS) as ItemKind[];

const STATIC: Resource[] = [
  {
    uri: 'meridian://instance',
    name: 'instance',
    title: 'Meridian instance',
    description: 'What is here: counts of dashboards, charts, datasets and databases, recent activity, you',
    mimeType: JSON_MIME,
  },
  {
    uri: 'meridian://reference/chart-configs',
    name: 'chart-configs',
    title: 'Chart configuration reference',
    description:
      'The chart configuration schema of generate_chart and update_chart, with an example per chart type',
    mimeType: JSON_MIME,
  },
];

export const RESOURCE_TEMPLATES: ListResourceTemplatesResult['resourceTemplates'] = [
  {
    uriTemplate: 'meridian://datasets/{id}/schema',
    name: 'dataset-schema',
    title: 'Dataset schema',
    description: 'Columns, types, saved metrics and main time column of a dataset',
    mimeType: JSON_MIME,
  },
  {
    uriTemplate: 'meridian://charts/{id}',
    name: 'chart',
    title: 'Chart',
    description: 'A saved chart: configuration, dataset and dashboards',
    mimeType: JSON_MIME,
  },
  {
    uriTemplate: 'meridian://charts/{id}/preview.png',
    name: 'chart-png',
    title: 'Chart image',
    description: 'A saved chart drawn as a PNG with the data you may see',
    mimeType: 'image/png',
  },
  {
    uriTemplate: 'meridian://dashboards/{id}',
    name: 'dashboard',
    title: 'Dashboard',
    description: 'A dashboard: its charts and their layout',
    mimeType: JSON_MIME,
  },
];

/** The `resources/list` cursor: which kind of item, which page of it. */
interface Cursor {
  kind: ItemKind;
  page: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined) return undefined;
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (KINDS.includes(c.kind as ItemKind) && Number.isInteger(c.page) && (c.page as number) >= 1) {
      return c as Cursor;
    }
  } catch {
    // answered below
  }
  throw new RpcError(ErrorCode.InvalidParams, 'Invalid cursor: pass back a nextCursor from resources/list');
}

/** The chart configuration reference: the schema generate_chart validates and an example per type. */
function chartConfigReference(): Structured {
  return {
    schema: toolRegistry().chartConfigSchema(),
    examples: {
      xy: {
        chart_type: 'xy',
        kind: 'line',
        x: { name: 'ds' },
        y: [{ name: 'sum__num', saved_metric: true }],
        group_by: [{ name: 'gender' }],
        time_grain: 'P1Y',
      },
      table: { chart_type: 'table', columns: [{ name: 'name' }, { name: 'state' }, { name: 'num' }] },
      pie: {
        chart_type: 'pie',
        dimension: { name: 'gender' },
        metric: { name: 'count', saved_metric: true },
      },
      big_number: { chart_type: 'big_number', metric: { name: 'count', saved_metric: true } },
    },
    notes:
      'Column and metric names come from the dataset (resource meridian://datasets/{id}/schema). ' +
      'saved_metric: true uses a saved metric by name; otherwise name a column and an aggregate. ' +
      'get_chart_type_schema answers one type with an example built from a dataset you name.',
  };
}

/**
 * MCP resources over the catalog, per caller: each read is the matching tool call made as the
 * caller (visibility, row-level security, rate limits and the audit trail as for the tool), so a
 * resource shows exactly what the tool would.
 */
@Injectable()
export class McpResources {
  constructor(private readonly dispatcher: ToolDispatcher) {}

  caller(principal: Principal, meta: CallMeta): Call {
    return async (tool, args) => (await this.dispatcher.call(principal, tool, args, meta)) as Structured;
  }

  async list(call: Call, rawCursor: string | undefined): Promise<ListResourcesResult> {
    const cursor = decodeCursor(rawCursor) ?? { kind: KINDS[0], page: 1 };
    const resources: Resource[] = rawCursor === undefined ? [...STATIC] : [];
    const item = ITEMS[cursor.kind];
    const page = await call(item.list, {
      page: cursor.page,
      page_size: LIST_PAGE,
      order_column: 'id',
      order_direction: 'asc',
    });
    for (const i of (page[item.key] as Structured[] | undefined) ?? []) {
      resources.push({
        uri: item.uri(i.id as number),
        name: item.name(i),
        description: item.describe(i),
        mimeType: JSON_MIME,
      });
    }
    const nextKind = KINDS[KINDS.indexOf(cursor.kind) + 1];
    const next: Cursor | undefined = page.has_next
      ? { kind: cursor.kind, page: cursor.page + 1 }
      : nextKind && { kind: nextKind, page: 1 };
    return { resources, ...(next ? { nextCursor: encodeCursor(next) } : {}) };
  }

  async read(call: Call, uri: string): Promise<ReadResourceResult> {
    if (uri === 'meridian://reference/chart-configs') {
      return { contents: [{ uri, mimeType: JSON_MIME, text: JSON.stringify(chartConfigReference()) }] };
    }
    const target = resourceTarget(uri);
    if (!target) throw new RpcError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri });
    let answer: Structured;
    try {
      answer = await call(target.tool, target.args);
    } catch (err) {
      throw asResourceError(err, uri);
    }
    if (target.png) {
      const png = answer.png as { data?: string; mime_type?: string } | undefined;
      if (!png?.data) throw new RpcError(ErrorCode.InternalError, `No image for ${uri}`, { uri });
      return { contents: [{ uri, mimeType: png.mime_type ?? 'image/png', blob: png.data }] };
    }
    return { contents: [{ uri, mimeType: JSON_MIME, text: JSON.stringify(answer) }] };
  }
}

/** A refused or failed read as a JSON-RPC error: not found stays not found, whatever hid it. */
export function asResourceError(err: unknown, uri: string): RpcError {
  const error = err instanceof MeridianError ? err : toMeridianError(err);
  const body = error.toBody() as unknown as Structured;
  if (error.type === ErrorType.NotFound) {
    return new RpcError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri, ...body });
  }
  const code = error.type === ErrorType.Internal ? ErrorCode.InternalError : ErrorCode.InvalidRequest;
  return new RpcError(code, error.message, body);
}
