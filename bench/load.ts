import { Agent, request } from 'node:http';

export interface LoadResult {
  label: string;
  concurrency: number;
  requests: number;
  errors: number;
  seconds: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)];
}

function post(agent: Agent, url: URL, body: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve(res.statusCode === 200 && text.includes('"result"') && !text.includes('"isError":true')),
        );
      },
    );
    req.on('error', () => resolve(false));
    req.end(body);
  });
}

/**
 * Closed-loop load: `concurrency` clients each send one tools/call and wait for its answer before
 * the next, for `seconds`, after a short warm-up. Bounded in time and aimed at loopback only.
 */
export async function runLoad(
  label: string,
  mcpUrl: string,
  tool: { name: string; arguments: Record<string, unknown> },
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const url = new URL(mcpUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error('loopback targets only');
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: tool });
  const warmupEnd = Date.now() + 1000;
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let end = 0;
  const worker = async () => {
    for (;;) {
      const now = Date.now();
      if (!measuring && now >= warmupEnd) {
        measuring = true;
        end = now + seconds * 1000;
      }
      if (measuring && now >= end) return;
      const t0 = process.hrtime.bigint();
      const ok = await post(agent, url, body);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (measuring) {
        if (ok) latencies.push(ms);
        else errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    label,
    concurrency,
    requests: latencies.length,
    errors,
    seconds,
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}
