import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, type CallToolResult, type Resource } from '@modelcontextprotocol/sdk/types.js';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES } from '@meridian/contracts';
import type { RunningPlatform } from '../../apps/meridian/src/platform';
import { startTestPlatform } from '../support/authed-platform';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startOidcServer, type TestAuthorizationServer } from '../support/oidc-server';
import { freePort } from '../support/processes';

/** The text of a resource's content (JSON here). */
const text = (content: object) => (content as { text: string }).text;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Resources, prompts, completions and logging over MCP, per user, through the whole platform. */
describe('MCP resources, prompts and completions', () => {
  let db: TestDatabase;
  let as: TestAuthorizationServer;
  let platform: RunningPlatform;
  let mcpUrl: string;
  let admin: McpClient;
  let gary: McpClient;
  let birthNames: number;
  let hiddenFromGary: { id: number; table_name: string };
  let chart: number;
  const clients: McpClient[] = [];

  const connect = async (user: string, scope = ALL_SCOPES.join(' ')) => {
    const token = await as.token({ client: user, scope });
    const client = new McpClient({ name: `resources-${user}`, version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(mcpUrl), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    clients.push(client);
    return client;
  };

  const structured = async (client: McpClient, name: string, args: Record<string, unknown>) =>
    ((await client.callTool({ name, arguments: args })) as CallToolResult).structuredContent as Record<
      string,
      unknown
    >;

  /** Every resource the client is offered, following nextCursor. */
  const everyResource = async (client: McpClient) => {
    const all: Resource[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.listResources(cursor ? { cursor } : {});
      all.push(...page.resources);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    return { all, pages };
  };

  const rpcError = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (err) {
      if (err instanceof McpError) return err;
      throw err;
    }
    throw new Error('expected a JSON-RPC error');
  };

  beforeAll(async () => {
    db = await createTestDatabase('mcp_resources');
    const port = await freePort();
    mcpUrl = `http://127.0.0.1:${port}/mcp`;
    as = await startOidcServer({ resource: mcpUrl, clients: ['admin', 'gary'] });
    platform = await startTestPlatform({ databaseUrl: db.url, port, as });
    admin = await connect('admin');
    gary = await connect('gary');
    const pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    birthNames = (await pg.query("SELECT id FROM datasets WHERE table_name = 'birth_names'")).rows[0]
      .id as number;
    chart = (await pg.query(`SELECT id FROM charts WHERE dataset_id = ${birthNames} ORDER BY id LIMIT 1`))
      .rows[0].id as number;
    const all = (await pg.query('SELECT id, table_name FROM datasets ORDER BY id')).rows as {
      id: number;
      table_name: string;
    }[];
    await pg.end();
    const garys = (await structured(gary, 'list_datasets', { page_size: 100 })).datasets as { id: number }[];
    hiddenFromGary = all.find((d) => !garys.some((g) => g.id === d.id))!;
    expect(hiddenFromGary).toBeDefined();
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) await client.close();
    await platform?.close();
    await as?.close();
    await db?.drop();
  });

  it('declares resources, prompts, completions and logging', () => {
    expect(admin.getServerCapabilities()).toMatchObject({
      tools: {},
      resources: {},
      prompts: {},
      completions: {},
      logging: {},
    });
  });

  describe('resources', () => {
    it('lists the instance, the chart reference and every item the caller may see, in pages', async () => {
      const { all, pages } = await everyResource(admin);
      expect(pages).toBeGreaterThanOrEqual(3);
      const uris = all.map((r) => r.uri);
      expect(uris).toEqual(
        expect.arrayContaining(['meridian://instance', 'meridian://reference/chart-configs']),
      );
      expect(new Set(uris).size).toBe(uris.length);
      for (const [tool, key, prefix] of [
        ['list_datasets', 'datasets', 'meridian://datasets/'],
        ['list_charts', 'charts', 'meridian://charts/'],
        ['list_dashboards', 'dashboards', 'meridian://dashboards/'],
      ] as const) {
        const total = (await structured(admin, tool, { page_size: 1 })).total_count as number;
        expect(
          uris.filter((u) => u.startsWith(prefix)),
          key,
        ).toHaveLength(total);
      }
      expect(all.find((r) => r.uri === `meridian://datasets/${birthNames}/schema`)).toMatchObject({
        name: 'birth_names',
        mimeType: 'application/json',
      });
    });

    it('lists to gary only the datasets gary may see', async () => {
      const uris = (await everyResource(gary)).all.map((r) => r.uri);
      expect(uris).not.toContain(`meridian://datasets/${hiddenFromGary.id}/schema`);
      const garys = (await structured(gary, 'list_datasets', { page_size: 100 })).datasets as {
        id: number;
      }[];
      expect(uris.filter((u) => u.startsWith('meridian://datasets/')).sort()).toEqual(
        garys.map((d) => `meridian://datasets/${d.id}/schema`).sort(),
      );
    });

    it('offers templates for dataset schemas, charts, chart images and dashboards', async () => {
      const { resourceTemplates } = await admin.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
        'meridian://datasets/{id}/schema',
        'meridian://charts/{id}',
        'meridian://charts/{id}/preview.png',
        'meridian://dashboards/{id}',
      ]);
    });

    it('reads a dataset schema as JSON, as get_dataset_info answers it', async () => {
      const uri = `meridian://datasets/${birthNames}/schema`;
      const { contents } = await admin.readResource({ uri });
      expect(contents).toHaveLength(1);
      expect(contents[0]).toMatchObject({ uri, mimeType: 'application/json' });
      const schema = JSON.parse(text(contents[0])) as Record<string, unknown>;
      expect(schema).toEqual(await structured(admin, 'get_dataset_info', { identifier: birthNames }));
      expect(schema).toMatchObject({ table_name: 'birth_names' });
    });

    it('reads the instance, a chart and a dashboard', async () => {
      const instance = await admin.readResource({ uri: 'meridian://instance' });
      expect(JSON.parse(text(instance.contents[0]))).toHaveProperty('current_user');
      const info = JSON.parse(
        text((await admin.readResource({ uri: `meridian://charts/${chart}` })).contents[0]),
      ) as { id: number; dataset_id: number };
      expect(info).toMatchObject({ id: chart, dataset_id: birthNames });
      const dashboards = (await structured(admin, 'list_dashboards', { page_size: 1 })).dashboards as {
        id: number;
      }[];
      const dashboard = JSON.parse(
        text((await admin.readResource({ uri: `meridian://dashboards/${dashboards[0].id}` })).contents[0]),
      ) as Record<string, unknown>;
      expect(dashboard).toMatchObject({ id: dashboards[0].id });
      expect(dashboard).toHaveProperty('layout');
    });

    it('reads a chart as a PNG blob', async () => {
      const uri = `meridian://charts/${chart}/preview.png`;
      const { contents } = await admin.readResource({ uri });
      expect(contents[0]).toMatchObject({ uri, mimeType: 'image/png' });
      const png = Buffer.from((contents[0] as { blob: string }).blob, 'base64');
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    });

    it('reads the chart configuration reference: the schema and an example per chart type', async () => {
      const { contents } = await admin.readResource({ uri: 'meridian://reference/chart-configs' });
      const reference = JSON.parse(text(contents[0])) as {
        schema: { oneOf: unknown[] };
        examples: Record<string, { chart_type: string }>;
      };
      expect(reference.schema.oneOf).toHaveLength(4);
      expect(Object.keys(reference.examples).sort()).toEqual(['big_number', 'pie', 'table', 'xy']);
      for (const [type, example] of Object.entries(reference.examples)) {
        expect(example.chart_type).toBe(type);
        const preview = (await admin.callTool({
          name: 'generate_chart',
          arguments: { dataset_id: birthNames, config: example, preview_formats: ['ascii'] },
        })) as CallToolResult;
        expect(preview.isError ?? false, `${type}: ${JSON.stringify(preview.structuredContent)}`).toBe(false);
      }
    });

    it('answers a dataset gary may not see as not found, like one that does not exist', async () => {
      const hidden = await rpcError(
        gary.readResource({ uri: `meridian://datasets/${hiddenFromGary.id}/schema` }),
      );
      const missing = await rpcError(gary.readResource({ uri: 'meridian://datasets/999999/schema' }));
      expect(hidden.code).toBe(-32002);
      expect(missing.code).toBe(-32002);
      const unknown = await rpcError(admin.readResource({ uri: 'meridian://nothing/1' }));
      expect(unknown.code).toBe(-32002);
    });

    it('refuses a cursor it did not issue', async () => {
      const err = await rpcError(admin.listResources({ cursor: 'not-a-cursor' }));
      expect(err.code).toBe(-32602);
    });
  });

  describe('prompts', () => {
    it('lists quickstart, explore_dataset, create_chart_guided and sql_analysis', async () => {
      const { prompts } = await admin.listPrompts();
      expect(prompts.map((p) => p.name)).toEqual([
        'quickstart',
        'explore_dataset',
        'create_chart_guided',
        'sql_analysis',
      ]);
    });

    it('runs explore_dataset with the dataset schema attached', async () => {
      const prompt = await admin.getPrompt({
        name: 'explore_dataset',
        arguments: { dataset: 'birth_names' },
      });
      const [context, ask] = prompt.messages;
      expect(context.content).toMatchObject({
        type: 'resource',
        resource: { uri: `meridian://datasets/${birthNames}/schema` },
      });
      expect(ask.content).toMatchObject({ type: 'text' });
      expect((ask.content as { text: string }).text).toContain(`birth_names (id ${birthNames})`);
      const byId = await admin.getPrompt({
        name: 'explore_dataset',
        arguments: { dataset: String(birthNames) },
      });
      expect(byId.messages[0].content).toEqual(context.content);
    });

    it('runs create_chart_guided and sql_analysis with their arguments', async () => {
      const chartPrompt = await admin.getPrompt({
        name: 'create_chart_guided',
        arguments: { dataset: 'birth_names', goal: 'births per year by gender' },
      });
      expect(JSON.stringify(chartPrompt.messages)).toContain('births per year by gender');
      const sql = await admin.getPrompt({
        name: 'sql_analysis',
        arguments: { database: 'examples', question: 'Which state had most births?' },
      });
      expect(JSON.stringify(sql.messages)).toContain('Which state had most births?');
      const quick = await admin.getPrompt({ name: 'quickstart' });
      expect(JSON.stringify(quick.messages)).toContain('get_instance_info');
    });

    it('refuses missing arguments and datasets the caller may not see, naming them', async () => {
      const missing = await rpcError(
        admin.getPrompt({ name: 'create_chart_guided', arguments: { dataset: 'birth_names' } }),
      );
      expect(missing.code).toBe(-32602);
      expect(missing.message).toBe('MCP error -32602: Missing required argument: goal');
      const hidden = await rpcError(
        gary.getPrompt({ name: 'explore_dataset', arguments: { dataset: hiddenFromGary.table_name } }),
      );
      expect(hidden.code).toBe(-32602);
      expect(hidden.message).toContain(`No dataset "${hiddenFromGary.table_name}"`);
      const unknown = await rpcError(admin.getPrompt({ name: 'no_such_prompt' }));
      expect(unknown.code).toBe(-32602);
    });
  });

  describe('completions', () => {
    it('completes dataset and database arguments from what the caller may see', async () => {
      const datasets = await admin.complete({
        ref: { type: 'ref/prompt', name: 'explore_dataset' },
        argument: { name: 'dataset', value: 'birth' },
      });
      expect(datasets.completion.values[0]).toBe('birth_names');
      const databases = await admin.complete({
        ref: { type: 'ref/prompt', name: 'sql_analysis' },
        argument: { name: 'database', value: 'exa' },
      });
      expect(databases.completion.values).toContain('examples');
      const garys = await gary.complete({
        ref: { type: 'ref/prompt', name: 'explore_dataset' },
        argument: { name: 'dataset', value: '' },
      });
      expect(garys.completion.values).not.toContain(hiddenFromGary.table_name);
      expect(garys.completion.values.length).toBeGreaterThan(0);
    });

    it('completes resource template ids', async () => {
      const ids = await admin.complete({
        ref: { type: 'ref/resource', uri: 'meridian://datasets/{id}/schema' },
        argument: { name: 'id', value: String(birthNames) },
      });
      expect(ids.completion.values).toContain(String(birthNames));
      for (const id of ids.completion.values) expect(id.startsWith(String(birthNames))).toBe(true);
      const garys = await gary.complete({
        ref: { type: 'ref/resource', uri: 'meridian://datasets/{id}/schema' },
        argument: { name: 'id', value: '' },
      });
      expect(garys.completion.values).not.toContain(String(hiddenFromGary.id));
    });
  });

  it('accepts logging/setLevel', async () => {
    await expect(admin.setLoggingLevel('warning')).resolves.toBeDefined();
  });

  it('asks for the read scope before reading resources, prompts or completions', async () => {
    const writeOnly = await as.token({ client: 'admin', scope: 'meridian:write' });
    for (const message of [
      { method: 'resources/read', params: { uri: `meridian://datasets/${birthNames}/schema` } },
      { method: 'resources/list', params: {} },
      { method: 'prompts/get', params: { name: 'quickstart' } },
      {
        method: 'completion/complete',
        params: {
          ref: { type: 'ref/prompt', name: 'explore_dataset' },
          argument: { name: 'dataset', value: '' },
        },
      },
    ]) {
      const res = await fetch(mcpUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${writeOnly}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, ...message }),
      });
      expect(res.status, message.method).toBe(403);
      expect(await res.json()).toMatchObject({ details: { missing_scopes: ['meridian:read'] } });
    }
  });
});
