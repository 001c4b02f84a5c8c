import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export async function connectClient(mcpUrl: string, name = 'meridian-e2e'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
  return client;
}

export type Structured = Record<string, unknown>;

/** Calls a tool and returns its structured result, failing loudly if the call errored. */
export async function callOk(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<Structured> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.structuredContent)}`);
  const structured = result.structuredContent as Structured;
  const text = result.content[0];
  if (text?.type !== 'text' || JSON.stringify(JSON.parse(text.text)) !== JSON.stringify(structured)) {
    throw new Error(`${name}: text content does not carry the same JSON as structuredContent`);
  }
  return structured;
}

/** Calls a tool that must fail and returns its error object. */
export async function callError(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<Structured> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (!result.isError)
    throw new Error(`${name} unexpectedly succeeded: ${JSON.stringify(result.structuredContent)}`);
  return result.structuredContent as Structured;
}
