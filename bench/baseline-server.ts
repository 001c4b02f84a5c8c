import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/**
 * The MCP SDK's stateless pattern as its examples show it: a new McpServer, with its tool and
 * zod schema, for every request. Answers a fixed list so only the MCP machinery is measured.
 */
function buildServer(): McpServer {
  const server = new McpServer({ name: 'baseline', version: '1.0.0' });
  server.registerTool(
    'list_databases',
    {
      description: 'List databases',
      inputSchema: {
        page: z.number().int().min(1).optional(),
        page_size: z.number().int().min(1).max(100).optional(),
      },
    },
    async () => {
      const result = {
        databases: [{ id: 1, database_name: 'examples', backend: 'postgresql' }],
        count: 1,
        total_count: 1,
        page: 1,
        page_size: 10,
        total_pages: 1,
        has_next: false,
        has_previous: false,
      };
      return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
    },
  );
  return server;
}

const port = Number(process.argv[2] ?? 0);
const http = createServer((req, res) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c.toString()));
  req.on('end', () => {
    const server = buildServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res, JSON.parse(raw || '{}')))
      .catch(() => {
        res.statusCode = 500;
        res.end();
      });
  });
});
http.listen(port, '127.0.0.1', () => {
  const addr = http.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
