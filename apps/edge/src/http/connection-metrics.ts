import type { Server } from 'node:http';
import { mcpActiveConnections } from '@meridian/observability';

/** Keeps mcp_active_connections at the number of HTTP connections open to this server. */
export function countConnections(server: Server): void {
  const open = mcpActiveConnections();
  server.on('connection', (socket) => {
    open.inc();
    socket.once('close', () => open.dec());
  });
}
