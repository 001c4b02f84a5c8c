import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, connectClient, type Structured } from '../support/mcp-client';
import { decodePng, luminanceVariance } from '../support/png';
import { until } from '../support/polling';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';

/**
 * The all-in-one on the same data directory, started again the way people do: after Ctrl-C, after
 * a crash (kill -9, which leaves the embedded PostgreSQL running), with the port it had taken by
 * something else, and twice at once. Every start must leave execute_sql and the charts working.
 */
describe('embedded all-in-one across restarts', () => {
  let dataDir: string;
  let port: number;
  let current: ManagedProcess | undefined;
  const baseUrl = () => `http://127.0.0.1:${port}`;

  const start = (env: Record<string, string> = {}) =>
    startProcess('meridian', 'dist/apps/meridian/src/main.js', ['start'], {
      MERIDIAN_DATA_DIR: dataDir,
      MCP_SERVICE_PORT: String(port),
      ...env,
    });

  const startReady = async (env: Record<string, string> = {}) => {
    current = start(env);
    await waitForReady(`${baseUrl()}/ready`, current, 180_000);
    return current;
  };

  /** The port the embedded server had on the last start, as kept in the data directory. */
  const rememberedPort = () =>
    (JSON.parse(readFileSync(join(dataDir, 'embedded-postgres.json'), 'utf8')) as { port: number }).port;

  const postmasterPid = () =>
    Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  /** What a user does after any start: SQL, a chart with a PNG, a saved chart's data. */
  const expectToolsWork = async () => {
    const client = await connectClient(`${baseUrl()}/mcp`, 'restart-e2e');
    try {
      const sql = await callOk(client, 'execute_sql', {
        database_id: 1,
        sql: 'SELECT count(*) AS n FROM orders',
      });
      expect(Number((sql.rows as Structured[])[0].n)).toBeGreaterThan(0);

      const chart = (await client.callTool({
        name: 'generate_chart',
        arguments: {
          dataset_id: 1,
          config: {
            chart_type: 'pie',
            dimension: { name: 'gender' },
            metric: { name: 'num', aggregate: 'SUM', label: 'n' },
          },
          preview_formats: ['png'],
        },
      })) as CallToolResult;
      expect(chart.isError ?? false, JSON.stringify(chart.structuredContent)).toBe(false);
      const image = chart.content.find((c) => c.type === 'image') as { data: string } | undefined;
      expect(image, 'a PNG preview').toBeDefined();
      expect(luminanceVariance(decodePng(Buffer.from(image!.data, 'base64')))).toBeGreaterThan(100);

      const data = await callOk(client, 'get_chart_data', { identifier: 1 });
      expect((data.rows as unknown[]).length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'meridian-restart-'));
    chmodSync(dataDir, 0o755);
    port = await freePort();
    // No MERIDIAN_EMBEDDED_PG_PORT: the default, a port chosen on the first start.
    await startReady();
  });

  afterAll(async () => {
    await current?.stop();
    // Whatever a failed case left behind must not outlive the suite.
    if (existsSync(join(dataDir, 'postgres', 'postmaster.pid'))) {
      const pid = postmasterPid();
      if (alive(pid)) process.kill(pid, 'SIGINT');
      await until(
        async () => alive(pid),
        (a) => !a,
        30_000,
      ).catch(() => undefined);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('works on the first start and keeps the port it chose', async () => {
    await expectToolsWork();
    expect(rememberedPort()).toBeGreaterThan(0);
  });

  it('works after a stop (Ctrl-C) and a second start, on the same port', async () => {
    const before = rememberedPort();
    await current!.stop('SIGINT');
    expect(existsSync(join(dataDir, 'meridian.lock')), 'the owner lock is released').toBe(false);
    await startReady();
    expect(rememberedPort()).toBe(before);
    await expectToolsWork();
  });

  it('moves examples an older version registered as the superuser onto meridian_reader', async () => {
    /** Runs one statement on the metadata database and answers the examples' login. */
    const examplesLogin = async (change?: string) => {
      const meta = new Client({
        connectionString: `postgresql://meridian:meridian-embedded@127.0.0.1:${rememberedPort()}/meridian`,
      });
      await meta.connect();
      try {
        if (change) await meta.query(change);
        return (await meta.query("SELECT username FROM databases WHERE database_name = 'examples'")).rows;
      } finally {
        await meta.end();
      }
    };
    expect(await examplesLogin()).toEqual([{ username: 'meridian_reader' }]);
    await examplesLogin("UPDATE databases SET username = 'meridian' WHERE database_name = 'examples'");
    await current!.stop('SIGINT');
    const next = await startReady();
    expect(next.output()).toContain('Database examples now connects as meridian_reader');
    await expectToolsWork();
    expect(await examplesLogin()).toEqual([{ username: 'meridian_reader' }]);
  });

  it('refuses a second all-in-one on the same data directory, and the first keeps working', async () => {
    const second = start({ MCP_SERVICE_PORT: String(await freePort()) });
    const code = await new Promise<number | null>((done) => second.child.once('exit', done));
    expect(code).not.toBe(0);
    expect(second.output()).toContain(
      `Another Meridian all-in-one (pid ${current!.child.pid}) is running on the data directory ${dataDir}`,
    );
    await expectToolsWork();
  });

  it('works after kill -9, stopping the PostgreSQL the dead process left behind', async () => {
    const orphan = postmasterPid();
    await current!.stop('SIGKILL');
    expect(alive(orphan), 'kill -9 leaves the embedded PostgreSQL running').toBe(true);
    const next = await startReady();
    expect(next.output()).toContain(
      `Stopping the embedded PostgreSQL left running by a previous start (pid ${orphan}`,
    );
    expect(alive(orphan)).toBe(false);
    await expectToolsWork();
  });

  it('moves to another port when its port is taken, and re-points the example database', async () => {
    const before = rememberedPort();
    await current!.stop('SIGINT');
    const squatter: Server = createServer();
    await new Promise<void>((done) => squatter.listen(before, '127.0.0.1', done));
    try {
      const next = await startReady();
      const after = rememberedPort();
      expect(after).not.toBe(before);
      expect(next.output()).toContain(
        `Database examples now points at the embedded PostgreSQL on 127.0.0.1:${after} (was 127.0.0.1:${before})`,
      );
      await expectToolsWork();
      const meta = new Client({
        connectionString: `postgresql://meridian:meridian-embedded@127.0.0.1:${after}/meridian`,
      });
      await meta.connect();
      try {
        const { rows } = await meta.query<{ port: number; extra: Record<string, unknown> }>(
          "SELECT port, extra FROM databases WHERE database_name = 'examples'",
        );
        expect(rows[0]).toMatchObject({ port: after, extra: { embedded_server: true } });
      } finally {
        await meta.end();
      }
    } finally {
      await new Promise((done) => squatter.close(done));
    }
  });

  it('explains a configured port that is taken, with PostgreSQL’s own words', async () => {
    await current!.stop('SIGINT');
    const squatter: Server = createServer();
    const taken = await freePort();
    await new Promise<void>((done) => squatter.listen(taken, '127.0.0.1', done));
    try {
      const failing = start({ MERIDIAN_EMBEDDED_PG_PORT: String(taken) });
      const code = await new Promise<number | null>((done) => failing.child.once('exit', done));
      expect(code).toBe(1);
      expect(failing.output()).toContain(`The embedded PostgreSQL did not start on 127.0.0.1:${taken}`);
      expect(failing.output()).toMatch(/could not bind IPv4 address "127\.0\.0\.1": Address already in use/);
      expect(failing.output()).toContain('set MERIDIAN_EMBEDDED_PG_PORT to another port');
      expect(existsSync(join(dataDir, 'meridian.lock')), 'a failed start releases the directory').toBe(false);
    } finally {
      await new Promise((done) => squatter.close(done));
    }
    await startReady();
    await expectToolsWork();
  });
});
