import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitForReady, type ManagedProcess, ROOT } from '../support/processes';
import { callOk, connectClient } from '../support/mcp-client';
import { catalogSuite, type PlatformUnderTest } from './catalog-suite';
import { runConformance } from '../support/conformance';

/** The embedded default, started the way a newcomer does: the all-in-one with its own PostgreSQL. */
describe('embedded all-in-one (npm start)', () => {
  let proc: ManagedProcess;
  let dataDir: string;
  const target: PlatformUnderTest = { baseUrl: '', mcpUrl: '', databaseUrl: '' };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'meridian-e2e-'));
    chmodSync(dataDir, 0o755);
    const port = await freePort();
    const pgPort = await freePort();
    proc = startProcess('meridian', 'dist/apps/meridian/src/main.js', ['start'], {
      MERIDIAN_DATA_DIR: dataDir,
      MCP_SERVICE_PORT: String(port),
      MERIDIAN_EMBEDDED_PG_PORT: String(pgPort),
    });
    target.baseUrl = `http://127.0.0.1:${port}`;
    target.mcpUrl = `${target.baseUrl}/mcp`;
    target.databaseUrl = `postgresql://meridian:meridian-embedded@127.0.0.1:${pgPort}/meridian`;
    await waitForReady(`${target.baseUrl}/ready`, proc, 180_000);
  });

  afterAll(async () => {
    await proc?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the MCP URL and a client configuration', () => {
    expect(proc.output()).toContain(target.mcpUrl);
    expect(proc.output()).toContain('"mcpServers"');
  });

  it('answers health_check from the edge', async () => {
    const client = await connectClient(target.mcpUrl);
    const health = await callOk(client, 'health_check');
    await client.close();
    expect(health).toMatchObject({ status: 'healthy', mode: 'embedded' });
  });

  catalogSuite(() => target);

  it('registers the examples on the least-privilege reader and runs SQL through it', async () => {
    const meta = new Client({ connectionString: target.databaseUrl });
    await meta.connect();
    try {
      const [row] = (await meta.query("SELECT id, username FROM databases WHERE database_name = 'examples'"))
        .rows as {
        id: number;
        username: string;
      }[];
      expect(row.username).toBe('meridian_reader');
      const client = await connectClient(target.mcpUrl);
      const r = await callOk(client, 'execute_sql', {
        database_id: row.id,
        sql: 'SELECT count(*) AS n FROM orders',
      });
      expect((r.rows as { n: number }[])[0].n).toBeGreaterThan(0);
      const info = await callOk(client, 'get_database_info', { identifier: row.id });
      await client.close();
      expect(info.connection_privileges).toMatchObject({ privileged: false, powers: [] });
    } finally {
      await meta.end();
    }
  });

  it.each(['server-initialize', 'tools-list', 'ping', 'dns-rebinding-protection'])(
    'passes the MCP conformance scenario %s',
    async (scenario) => {
      const result = await runConformance(ROOT, target.mcpUrl.replace('127.0.0.1', 'localhost'), scenario);
      expect(result.failed, result.output).toBe(0);
      expect(result.passed, result.output).toBeGreaterThan(0);
    },
  );
});
