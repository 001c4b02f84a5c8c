import { request } from 'node:http';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolRegistry } from '@meridian/contracts';
import { callError, callOk, connectClient, type Structured } from '../support/mcp-client';

/** node:http, because fetch does not let a caller choose the Host header. */
function rawPost(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The JSON-RPC result carried by a Streamable HTTP answer (SSE or plain JSON). */
function sseResult(body: string): Structured {
  const line = body.split('\n').find((l) => l.startsWith('data: '));
  const message = JSON.parse(line ? line.slice(6) : body) as { result?: Structured; error?: unknown };
  if (!message.result) throw new Error(`No result in ${body}`);
  return message.result;
}

export interface PlatformUnderTest {
  baseUrl: string;
  mcpUrl: string;
  /** The metadata database the platform serves from, for counts computed independently. */
  databaseUrl: string;
}

/**
 * What every deployment mode must do the same way: the catalog tools over MCP (SDK client) and
 * REST, checked against counts the test computes with its own SQL.
 */
export function catalogSuite(target: () => PlatformUnderTest): void {
  let client: Client;
  let db: PgClient;
  const sql = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    (await db.query(text, params)).rows as T[];
  const count = async (text: string, params: unknown[] = []) =>
    Number((await sql<{ n: string }>(text, params))[0]?.n);

  beforeAll(async () => {
    client = await connectClient(target().mcpUrl);
    db = new PgClient({ connectionString: target().databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await client?.close();
    await db?.end();
  });

  describe('protocol', () => {
    it.each(['2025-03-26', '2025-06-18', '2025-11-25'])(
      'negotiates protocol version %s statelessly',
      async (version) => {
        const init = await rawPost(
          target().mcpUrl,
          JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: {
              protocolVersion: version,
              capabilities: {},
              clientInfo: { name: 'probe', version: '1' },
            },
          }),
          {},
        );
        expect(init.status).toBe(200);
        expect(init.headers['mcp-session-id']).toBeUndefined();
        const result = sseResult(init.body);
        expect(result.protocolVersion).toBe(version);
        expect((result.serverInfo as Structured).name).toBe('meridian');
        // No session: a later call made with no prior state is served by any replica.
        const call = await rawPost(
          target().mcpUrl,
          JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'health_check' } }),
          { 'mcp-protocol-version': version },
        );
        expect((sseResult(call.body).structuredContent as Structured).status).toBe('healthy');
      },
    );
  });

  describe('tools/list', () => {
    it('lists every registry tool with input and output schemas and annotations', async () => {
      const { tools } = await client.listTools();
      const expected = toolRegistry()
        .list()
        .map((t) => t.name)
        .sort();
      expect(tools.map((t) => t.name).sort()).toEqual(expected);
      for (const tool of tools) {
        expect(tool.inputSchema.type).toBe('object');
        expect(tool.outputSchema?.type).toBe('object');
        expect(tool.annotations?.readOnlyHint).toBe(toolRegistry().get(tool.name).annotations.readOnlyHint);
        expect(tool.description?.length).toBeGreaterThan(20);
      }
      const list = tools.find((t) => t.name === 'list_dashboards')!;
      expect(Object.keys(list.inputSchema.properties ?? {})).toEqual(
        expect.arrayContaining(['page', 'page_size', 'filters', 'search', 'select_columns', 'order_column']),
      );
    });

    it('answers tools/list to Admin in under 50 KB of JSON', async () => {
      const answer = await rawPost(
        target().mcpUrl,
        JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} }),
        { 'mcp-protocol-version': '2025-11-25' },
      );
      expect(answer.status).toBe(200);
      const result = sseResult(answer.body);
      expect((result.tools as unknown[]).length).toBe(toolRegistry().list().length);
      const bytes = Buffer.byteLength(JSON.stringify(result));
      console.log(`tools/list as Admin: ${bytes} bytes of JSON`);
      expect(bytes).toBeLessThanOrEqual(50_000);
    });
  });

  describe('catalog tools', () => {
    it('get_instance_info counts what the database holds', async () => {
      const info = await callOk(client, 'get_instance_info');
      const summary = info.instance_summary as Record<string, number>;
      expect(summary.total_dashboards).toBe(await count('SELECT count(*) n FROM dashboards'));
      expect(summary.total_charts).toBe(await count('SELECT count(*) n FROM charts'));
      expect(summary.total_datasets).toBe(await count('SELECT count(*) n FROM datasets'));
      expect((info.current_user as Structured).username).toBe('admin');
      expect((info.current_user as Structured).roles).toContain('Admin');
    });

    it('pages through every dashboard exactly once', async () => {
      const ids = (await sql<{ id: number }>('SELECT id FROM dashboards ORDER BY id')).map((r) => r.id);
      const seen: number[] = [];
      let page = 1;
      for (;;) {
        const res = await callOk(client, 'list_dashboards', {
          page,
          page_size: 7,
          order_column: 'id',
          order_direction: 'asc',
        });
        expect(res.total_count).toBe(ids.length);
        expect(res.total_pages).toBe(Math.ceil(ids.length / 7));
        expect(res.has_previous).toBe(page > 1);
        seen.push(...(res.dashboards as Structured[]).map((d) => d.id as number));
        if (!res.has_next) break;
        page += 1;
      }
      expect(seen).toEqual(ids);
      const past = await callOk(client, 'list_dashboards', { page: page + 5, page_size: 7 });
      expect(past.dashboards).toEqual([]);
      expect(past.total_count).toBe(ids.length);
    });

    it('filters dashboards and charts like its own SQL does', async () => {
      const published = await callOk(client, 'list_dashboards', {
        filters: [{ col: 'published', opr: 'eq', value: true }],
        page_size: 100,
      });
      expect(published.total_count).toBe(await count('SELECT count(*) n FROM dashboards WHERE published'));

      const [{ viz_type: viz }] = await sql<{ viz_type: string }>(
        'SELECT viz_type FROM charts ORDER BY id LIMIT 1',
      );
      const byType = await callOk(client, 'list_charts', {
        filters: [{ col: 'viz_type', opr: 'in', value: [viz, 'no_such_type'] }],
      });
      expect(byType.total_count).toBe(
        await count('SELECT count(*) n FROM charts WHERE viz_type = $1', [viz]),
      );

      const byDataset = await callOk(client, 'list_charts', {
        filters: [{ col: 'dataset_name', opr: 'eq', value: 'birth_names' }],
        select_columns: ['id', 'slice_name', 'dataset_name'],
      });
      expect(byDataset.total_count).toBe(
        await count(
          "SELECT count(*) n FROM charts c JOIN datasets d ON d.id = c.dataset_id WHERE d.table_name = 'birth_names'",
        ),
      );
      for (const chart of byDataset.charts as Structured[]) {
        expect(Object.keys(chart).sort()).toEqual(['dataset_name', 'id', 'slice_name']);
        expect(chart.dataset_name).toBe('birth_names');
      }

      const search = await callOk(client, 'list_datasets', { search: 'ORDER' });
      expect(search.total_count).toBe(
        await count(
          "SELECT count(*) n FROM datasets WHERE table_name ILIKE '%order%' OR description ILIKE '%order%'",
        ),
      );
    });

    it('finds a dashboard by id, UUID and slug', async () => {
      const [row] = await sql<{ id: number; uuid: string; slug: string }>(
        'SELECT id, uuid, slug FROM dashboards WHERE slug IS NOT NULL ORDER BY id LIMIT 1',
      );
      const byId = await callOk(client, 'get_dashboard_info', { identifier: row.id });
      const byUuid = await callOk(client, 'get_dashboard_info', { identifier: row.uuid });
      const bySlug = await callOk(client, 'get_dashboard_info', { identifier: row.slug });
      expect(byUuid.id).toBe(row.id);
      expect(bySlug.id).toBe(row.id);
      expect((byId.charts as unknown[]).length).toBe(
        await count('SELECT count(*) n FROM dashboard_charts WHERE dashboard_id = $1', [row.id]),
      );
    });

    it('describes charts, datasets and databases without connection secrets', async () => {
      const [chart] = await sql<{ id: number; dataset_id: number }>(
        'SELECT id, dataset_id FROM charts LIMIT 1',
      );
      const info = await callOk(client, 'get_chart_info', { identifier: chart.id });
      expect(info.dataset_id).toBe(chart.dataset_id);

      const dataset = await callOk(client, 'get_dataset_info', { identifier: chart.dataset_id });
      expect((dataset.columns as unknown[]).length).toBe(
        await count('SELECT count(*) n FROM dataset_columns WHERE dataset_id = $1 AND is_active', [
          chart.dataset_id,
        ]),
      );
      expect((dataset.metrics as unknown[]).length).toBeGreaterThan(0);

      const dbs = await callOk(client, 'list_databases');
      const examples = (dbs.databases as Structured[]).find((d) => d.database_name === 'examples');
      expect(examples).toBeDefined();
      const detail = await callOk(client, 'get_database_info', { identifier: examples!.id as number });
      const text = JSON.stringify(detail);
      const [secret] = await sql<{ host: string; password_encrypted: string | null }>(
        'SELECT host, password_encrypted FROM databases WHERE id = $1',
        [examples!.id],
      );
      expect(text).not.toContain('password');
      if (secret.password_encrypted) expect(text).not.toContain(secret.password_encrypted);
      expect(detail).not.toHaveProperty('host');
    });
  });

  describe('errors', () => {
    it.each([
      ['list_dashboards', { page_size: 0 }, 'page_size'],
      ['list_dashboards', { page_size: 101 }, 'page_size'],
      ['list_charts', { page: 'abc' }, 'page'],
      ['list_charts', { unknown_field: 1 }, 'unknown_field'],
      ['list_datasets', { filters: [{ col: 'password', opr: 'eq', value: 'x' }] }, 'filters.0.col'],
      ['list_datasets', { filters: [{ col: 'table_name', opr: 'regex', value: 'x' }] }, 'filters.0.opr'],
      ['list_dashboards', { search: 'x', filters: [{ col: 'published', opr: 'eq', value: true }] }, 'search'],
      ['get_chart_info', { identifier: 'not-a-uuid' }, 'identifier'],
      ['get_dashboard_info', {}, 'identifier'],
    ])('%s %j is a ValidationError naming %s', async (tool, args, field) => {
      const error = await callError(client, tool, args);
      expect(error.error_type).toBe('ValidationError');
      expect((error.details as Structured).field).toBe(field);
      expect(error.error).toContain(field);
      expect(typeof error.timestamp).toBe('string');
    });

    it('answers NotFoundError for an id nobody has', async () => {
      const error = await callError(client, 'get_dataset_info', { identifier: 987654 });
      expect(error.error_type).toBe('NotFoundError');
    });
  });

  describe('REST form', () => {
    it('answers POST /<tool> and GET /<tool> with the same JSON as MCP', async () => {
      const base = target().baseUrl;
      const viaMcp = await callOk(client, 'list_charts', { page_size: 3, order_column: 'id' });
      const post = await fetch(`${base}/list_charts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ request: { page_size: 3, order_column: 'id' } }),
      });
      expect(post.status).toBe(200);
      expect(await post.json()).toEqual(viaMcp);
      const get = await fetch(`${base}/list_charts?page_size=3&order_column=id`);
      expect(await get.json()).toEqual(viaMcp);
      const slug = await fetch(`${base}/get_dashboard_info?identifier=births`);
      expect(slug.status).toBe(200);
      const filters = encodeURIComponent(JSON.stringify([{ col: 'published', opr: 'eq', value: true }]));
      const filtered = await fetch(`${base}/list_dashboards?filters=${filters}&select_columns=id,published`);
      expect(filtered.status).toBe(200);
      const body = (await filtered.json()) as Structured;
      expect(body.total_count).toBe(await count('SELECT count(*) n FROM dashboards WHERE published'));
      expect(body.columns_loaded).toEqual(['id', 'published']);
    });

    it('maps each error type to its status', async () => {
      const base = target().baseUrl;
      const bad = await fetch(`${base}/list_dashboards?page_size=101`);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({
        error_type: 'ValidationError',
        details: { field: 'page_size' },
      });
      const wrapper = await fetch(`${base}/list_dashboards`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ page_size: 5 }),
      });
      expect(wrapper.status).toBe(400);
      const missing = await fetch(`${base}/get_chart_info?identifier=999999`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error_type: 'NotFoundError' });
      const unknown = await fetch(`${base}/no_such_tool`);
      expect(unknown.status).toBe(404);
      const health = await fetch(`${base}/health`);
      expect(await health.json()).toMatchObject({ status: 'healthy', version: expect.any(String) });
      expect((await fetch(`${base}/ready`)).status).toBe(200);
    });

    it('refuses a foreign Host or Origin on /mcp (DNS rebinding)', async () => {
      const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
      const foreignHost = await rawPost(target().mcpUrl, ping, { host: 'evil.example.com' });
      expect(foreignHost.status).toBe(403);
      expect(JSON.parse(foreignHost.body)).toMatchObject({ error_type: 'PermissionDeniedError' });
      const foreignOrigin = await rawPost(target().mcpUrl, ping, { origin: 'http://evil.example.com' });
      expect(foreignOrigin.status).toBe(403);
      const local = await rawPost(target().mcpUrl, ping, { origin: 'http://localhost:6274' });
      expect(local.status).toBe(200);
    });
  });
}
