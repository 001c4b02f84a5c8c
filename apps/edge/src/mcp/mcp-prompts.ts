import {
  ErrorCode,
  type CompleteResult,
  type GetPromptResult,
  type ListPromptsResult,
  type PromptMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { ErrorType } from '@meridian/errors';
import { asResourceError, RpcError } from './mcp-resources';

type Structured = Record<string, unknown>;
type Call = (tool: string, args: Structured) => Promise<Structured>;

export const PROMPTS: ListPromptsResult['prompts'] = [
  {
    name: 'quickstart',
    title: 'Get started with Meridian',
    description: 'What is on this server and how to start exploring it',
  },
  {
    name: 'explore_dataset',
    title: 'Explore a dataset',
    description: 'Look at a dataset: its columns, metrics and a first breakdown',
    arguments: [{ name: 'dataset', description: 'Dataset name or id', required: true }],
  },
  {
    name: 'create_chart_guided',
    title: 'Create a chart, guided',
    description: 'Pick a chart type and configuration for a goal, preview it, then save it',
    arguments: [
      { name: 'dataset', description: 'Dataset name or id', required: true },
      { name: 'goal', description: 'What the chart should show', required: true },
    ],
  },
  {
    name: 'sql_analysis',
    title: 'Answer a question with SQL',
    description: 'Write and run governed SQL against a database to answer a question',
    arguments: [
      { name: 'database', description: 'Database name or id', required: true },
      { name: 'question', description: 'The question to answer', required: true },
    ],
  },
];

const user = (text: string): PromptMessage => ({ role: 'user', content: { type: 'text', text } });

/** A dataset or database by id or name, among those the caller may see. */
async function find(
  call: Call,
  kind: 'dataset' | 'database',
  value: string,
): Promise<{ id: number; name: string }> {
  const [list, info, key, field] =
    kind === 'dataset'
      ? (['list_datasets', 'get_dataset_info', 'datasets', 'table_name'] as const)
      : (['list_databases', 'get_database_info', 'databases', 'database_name'] as const);
  const typed = value.trim();
  const missing = () =>
    new RpcError(ErrorCode.InvalidParams, `No ${kind} "${typed}" that you may see`, { argument: kind });
  try {
    if (/^[1-9]\d{0,9}$/.test(typed)) {
      const found = await call(info, { identifier: Number(typed) });
      return { id: found.id as number, name: String(found[field]) };
    }
    const items =
      ((await call(list, { search: typed, page_size: 100 }))[key] as Structured[] | undefined) ?? [];
    const match = items.find((i) => String(i[field]).toLowerCase() === typed.toLowerCase()) ?? items[0];
    if (!match) throw missing();
    return { id: match.id as number, name: String(match[field]) };
  } catch (err) {
    if (err instanceof RpcError) throw err;
    if ((err as { type?: unknown }).type === ErrorType.NotFound) throw missing();
    throw asResourceError(err, `${kind}:${typed}`);
  }
}

function required(args: Record<string, string> | undefined, name: string): string {
  const value = args?.[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new RpcError(ErrorCode.InvalidParams, `Missing required argument: ${name}`, { argument: name });
  }
  return value;
}

/** The schema of a dataset as embedded context of a prompt. */
async function datasetContext(call: Call, id: number): Promise<PromptMessage> {
  const info = await call('get_dataset_info', { identifier: id });
  return {
    role: 'user',
    content: {
      type: 'resource',
      resource: {
        uri: `meridian://datasets/${id}/schema`,
        mimeType: 'application/json',
        text: JSON.stringify(info),
      },
    },
  };
}

export async function getPrompt(
  call: Call,
  name: string,
  args: Record<string, string> | undefined,
): Promise<GetPromptResult> {
  switch (name) {
    case 'quickstart':
      return {
        description: 'Get started with Meridian',
        messages: [
          user(
            'You are connected to Meridian, a governed analytics server. Start with get_instance_info ' +
              'to see what is here and who you are, then list_dashboards, list_charts and list_datasets ' +
              '(each pages with page and page_size, filters with filters or search). get_dataset_info ' +
              'shows a dataset’s columns and saved metrics; query_dataset aggregates it; execute_sql ' +
              'runs one read-only SQL statement where you have SQL access. generate_chart previews a chart ' +
              '(save_chart: true saves it), generate_dashboard puts saved charts on a dashboard. Read ' +
              'meridian://reference/chart-configs for chart configurations. Summarise what is available ' +
              'and suggest three questions worth asking.',
          ),
        ],
      };
    case 'explore_dataset': {
      const dataset = await find(call, 'dataset', required(args, 'dataset'));
      return {
        description: `Explore the dataset ${dataset.name}`,
        messages: [
          await datasetContext(call, dataset.id),
          user(
            `Explore the dataset ${dataset.name} (id ${dataset.id}), whose schema is attached. Describe ` +
              'what a row is, its main time column and the most useful dimensions and metrics. Then run ' +
              'query_dataset for one overview (a saved metric by its most telling dimension, top 10) and ' +
              'say what stands out.',
          ),
        ],
      };
    }
    case 'create_chart_guided': {
      const dataset = await find(call, 'dataset', required(args, 'dataset'));
      const goal = required(args, 'goal');
      return {
        description: `Create a chart of ${dataset.name}`,
        messages: [
          await datasetContext(call, dataset.id),
          user(
            `Create a chart from the dataset ${dataset.name} (id ${dataset.id}) that shows: ${goal}\n\n` +
              'Pick the chart type that fits (xy for trends and comparisons, pie for shares of a whole, ' +
              'table for detail, big_number for one figure) and the columns and metrics from the attached ' +
              `schema; get_chart_type_schema (chart_type, dataset_id ${dataset.id}) gives a type's full ` +
              'configuration schema and an example on this dataset. Preview it with ' +
              'generate_chart (preview_formats ["ascii"], not saved), check it answers the goal, adjust, and ' +
              'only then save it with save_chart: true and a clear chart_name.',
          ),
        ],
      };
    }
    case 'sql_analysis': {
      const database = await find(call, 'database', required(args, 'database'));
      const question = required(args, 'question');
      return {
        description: `Answer a question with SQL on ${database.name}`,
        messages: [
          user(
            `Answer this question with SQL on the database ${database.name} (database_id ${database.id}): ` +
              `${question}\n\nFind the tables first (list_datasets with a filter on the database, then ` +
              'get_dataset_info). Write one SELECT at a time; run it with execute_sql (dry_run first if ' +
              'unsure, limit to what you need). Only reading statements on tables you may see will run. ' +
              'Explain the query and the answer, and say how sure you are.',
          ),
        ],
      };
    }
    default:
      throw new RpcError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`);
  }
}

const MAX_COMPLETIONS = 100;

/** Names (and ids) of what the caller may see that start with, or contain, what was typed. */
async function names(call: Call, tool: string, key: string, field: string, typed: string): Promise<string[]> {
  const args: Structured = typed.trim() ? { search: typed.trim(), page_size: 100 } : { page_size: 100 };
  const items = ((await call(tool, args))[key] as Structured[] | undefined) ?? [];
  const values = items.map((i) => String(i[field]));
  const lower = typed.toLowerCase();
  return [
    ...values.filter((v) => v.toLowerCase().startsWith(lower)),
    ...values.filter((v) => !v.toLowerCase().startsWith(lower)),
  ];
}

async function ids(call: Call, tool: string, key: string, typed: string): Promise<string[]> {
  const items =
    ((await call(tool, { page_size: 100, order_column: 'id', order_direction: 'asc' }))[key] as
      Structured[] | undefined) ?? [];
  return items.map((i) => String(i.id)).filter((id) => id.startsWith(typed.trim()));
}

const TEMPLATE_LISTS: Record<string, [string, string]> = {
  'meridian://datasets/{id}/schema': ['list_datasets', 'datasets'],
  'meridian://charts/{id}': ['list_charts', 'charts'],
  'meridian://charts/{id}/preview.png': ['list_charts', 'charts'],
  'meridian://dashboards/{id}': ['list_dashboards', 'dashboards'],
};

/** completion/complete for prompt arguments and resource-template variables, from what the caller may see. */
export async function complete(
  call: Call,
  ref: { type: string; name?: string; uri?: string },
  argument: { name: string; value: string },
): Promise<CompleteResult> {
  let values: string[] = [];
  if (ref.type === 'ref/prompt') {
    if (!PROMPTS.some((p) => p.name === ref.name)) {
      throw new RpcError(ErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
    }
    if (argument.name === 'dataset')
      values = await names(call, 'list_datasets', 'datasets', 'table_name', argument.value);
    if (argument.name === 'database') {
      values = await names(call, 'list_databases', 'databases', 'database_name', argument.value);
    }
  } else if (ref.type === 'ref/resource') {
    const list = ref.uri ? TEMPLATE_LISTS[ref.uri] : undefined;
    if (!list) throw new RpcError(ErrorCode.InvalidParams, `Unknown resource template: ${ref.uri}`);
    if (argument.name === 'id') values = await ids(call, list[0], list[1], argument.value);
  }
  const unique = [...new Set(values)];
  return {
    completion: {
      values: unique.slice(0, MAX_COMPLETIONS),
      total: unique.length,
      hasMore: unique.length > MAX_COMPLETIONS,
    },
  };
}
