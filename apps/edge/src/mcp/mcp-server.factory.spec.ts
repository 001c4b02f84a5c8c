import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { AccessService } from '@meridian/authz';
import { loadConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import type { ToolDispatcher } from '../tools/tool-dispatcher.service';
import { McpServerFactory } from './mcp-server.factory';
import type { McpResources } from './mcp-resources';

const BUDGET = 4096;
const principal = { id: 1, username: 'admin', roles: ['Admin'] } as unknown as Principal;

/** The factory with a dispatcher that answers `answer` to every call. */
function factory(answer: Record<string, unknown>, env: Record<string, string> = {}) {
  const dispatcher = { call: () => Promise.resolve(answer) } as unknown as ToolDispatcher;
  const config = loadConfig({ MCP_RESPONSE_BUDGET_BYTES: String(BUDGET), ...env });
  return new McpServerFactory(dispatcher, {} as AccessService, config, {} as McpResources);
}

const texts = (r: CallToolResult) => r.content.filter((c) => c.type === 'text').map((c) => c.text);

const sqlAnswer = {
  columns: [{ name: 'body', type: 'text', is_nullable: true }],
  rows: Array.from({ length: 200 }, (_, i) => ({ body: `line ${i} `.repeat(10) })),
  row_count: 200,
  affected_rows: null,
  truncated: false,
  truncation_reason: null,
  execution_time_ms: 1,
  executed_sql: 'SELECT body FROM t',
  dry_run: false,
};

describe('McpServerFactory.callTool and the response budget', () => {
  it('sends the cut JSON as text and as structuredContent', async () => {
    const result = await factory(sqlAnswer).callTool(principal, 'execute_sql', {});
    const [text, ...more] = texts(result);
    expect(more).toEqual([]);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(BUDGET);
    expect(JSON.parse(text)).toEqual(result.structuredContent);
    expect(result.structuredContent).toMatchObject({
      truncated: true,
      truncation_reason: /rows cut from 200/,
    });
  });

  it('cuts the text alike when structured output is off', async () => {
    const result = await factory(sqlAnswer, { MCP_STRUCTURED_OUTPUT: 'false' }).callTool(
      principal,
      'execute_sql',
      {},
    );
    expect(result.structuredContent).toBeUndefined();
    const [text] = texts(result);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(BUDGET);
    expect((JSON.parse(text) as { rows: unknown[] }).rows.length).toBeLessThan(200);
  });

  it('says what was cut in a second text block when the schema has no field for it, and keeps images aside', async () => {
    const png = { mime_type: 'image/png', width: 10, height: 10, bytes: 6000, data: 'A'.repeat(8000) };
    const answer = {
      chart_id: 7,
      format: 'png',
      vega_lite: { data: { values: Array.from({ length: 500 }, (_, i) => ({ x: i, y: i * 2 })) } },
      png,
      warnings: [],
    };
    const result = await factory(answer).callTool(principal, 'get_chart_preview', {});
    expect(result.content.find((c) => c.type === 'image')).toEqual({
      type: 'image',
      data: png.data,
      mimeType: 'image/png',
    });
    const [text] = texts(result);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(BUDGET);
    expect((JSON.parse(text) as { warnings: string[] }).warnings[0]).toMatch(
      /^Answer cut to fit MCP_RESPONSE_BUDGET_BYTES \(4096 bytes\): vega_lite\.data\.values summarised/,
    );

    const info = await factory({
      id: 7,
      uuid: 'u',
      slice_name: 'Big',
      viz_type: 'table',
      dataset_id: 1,
      owners: [],
      params: { columns: Array.from({ length: 400 }, (_, i) => `column_${i}`) },
    }).callTool(principal, 'get_chart_info', {});
    const [json, note] = texts(info);
    expect(Buffer.byteLength(json) + Buffer.byteLength(note)).toBeLessThanOrEqual(BUDGET);
    expect(note).toMatch(
      /^Answer cut to fit MCP_RESPONSE_BUDGET_BYTES \(4096 bytes\): params\.columns summarised/,
    );
  });

  it('leaves errors and small answers alone', async () => {
    const small = { status: 'healthy', timestamp: '2026-12-01T10:00:00.000Z', version: '1' };
    const result = await factory(small).callTool(principal, 'health_check', {});
    expect(result.content).toEqual([{ type: 'text', text: JSON.stringify(small) }]);
  });
});
