import { Client } from 'pg';
import { startBalancer } from './balancer';
import {
  describeCall,
  goal,
  startTraffic,
  summarize,
  Timeline,
  type ScenarioOptions,
  type ScenarioResult,
} from './scenario';
import { ChaosStack, NO_LIMITS, sleep, statusOf } from './stack';

/** Seconds a stopping edge keeps serving with /ready at 503 (MERIDIAN_SHUTDOWN_DELAY_SECONDS). */
const SHUTDOWN_DELAY_S = 2;

async function gauge(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/**
 * SIGTERM to one of two edges behind a balancer that follows /ready, under load, while slow
 * execute_sql calls run through that edge: it answers /ready with 503 before it closes its port,
 * its in-flight calls complete, no call through the balancer fails, and it exits 0.
 */
export async function edgeSigterm(opts: ScenarioOptions): Promise<ScenarioResult> {
  const settings = {
    users: opts.short ? 3 : 10,
    before_s: opts.short ? 3 : 10,
    after_s: opts.short ? 5 : 15,
    in_flight_calls: opts.short ? 2 : 5,
    in_flight_rows: 5_000_000,
    shutdown_delay_s: SHUTDOWN_DELAY_S,
    balancer_probe_ms: 200,
  };
  const timeline = new Timeline(opts.log);
  const stack = new ChaosStack(opts.log);
  try {
    await stack.startNats();
    const db = await stack.useDatabase(`${opts.dbPrefix}_edge_sigterm`, opts.database);
    const env = {
      MCP_RATE_LIMITING: NO_LIMITS,
      SQL_WORKER_CONCURRENCY: '8',
      MERIDIAN_SHUTDOWN_DELAY_SECONDS: String(SHUTDOWN_DELAY_S),
    };
    const sql = await stack.startService('sql', env);
    const services = [await stack.startService('catalog', env), await stack.startService('chart', env), sql];
    const edges = [await stack.startEdge(env, 'edge-a'), await stack.startEdge(env, 'edge-b')];
    await stack.ready(...services, ...edges);
    const meta = new Client({ connectionString: db.url });
    await meta.connect();
    const examples = (await meta.query("SELECT id FROM databases WHERE database_name = 'examples'")).rows as {
      id: number;
    }[];
    await meta.end();

    const balancer = await startBalancer(
      edges.map((e) => e.url),
      settings.balancer_probe_ms,
    );
    const traffic = startTraffic(`${balancer.url}/mcp`, settings.users, settings.before_s + settings.after_s);
    const [stopping] = edges;
    try {
      await sleep(settings.before_s * 1000);
      // Slow calls straight to the edge about to stop, running when the signal comes.
      const inFlight = Array.from({ length: settings.in_flight_calls }, async () => {
        const t0 = Date.now();
        const res = await fetch(`${stopping.url}/execute_sql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            request: {
              database_id: examples[0]?.id,
              sql: `SELECT count(*) AS n FROM generate_series(1, ${settings.in_flight_rows}) g`,
              timeout: 30,
            },
          }),
        }).catch((err: Error) => err);
        const body =
          res instanceof Error
            ? undefined
            : ((await res.json()) as { rows?: unknown[]; error_type?: string });
        return { status: res instanceof Error ? 0 : res.status, ms: Date.now() - t0, body };
      });
      const deadline = Date.now() + 10_000;
      while ((await gauge(`${sql.url}/metrics`, 'sql_active_queries')) < settings.in_flight_calls) {
        if (Date.now() > deadline) throw new Error('the slow calls never ran on the sql worker');
        await sleep(20);
      }
      const exited = stopping.proc.stop('SIGTERM');
      const signalledAt = timeline.mark(
        `SIGTERM to edge-a with ${settings.in_flight_calls} execute_sql calls in flight`,
      );
      const sentBefore = [...balancer.sent];
      // What /ready of the stopping edge says until nothing answers there any more.
      const readiness: number[] = [];
      let closedAt = 0;
      for (;;) {
        const status = await statusOf(`${stopping.url}/ready`, 1000);
        if (readiness.at(-1) !== status) {
          readiness.push(status);
          timeline.mark(`edge-a /ready: ${status || 'connection refused'}`);
        }
        if (status === 0) {
          closedAt = Date.now();
          break;
        }
        if (Date.now() - signalledAt > 60_000) break;
        await sleep(50);
      }
      const answers = await Promise.all(inFlight);
      const code = await exited;
      timeline.mark(`edge-a exited with ${String(code)}`);
      const calls = await traffic.done;
      timeline.mark('traffic ended');

      const errors = calls.filter((c) => c.errorType);
      const firstDown = readiness.find((s) => s !== 200);
      const completed = answers.filter((a) => a.status === 200 && Array.isArray(a.body?.rows));
      const sentAfter = balancer.sent.map((n, i) => n - sentBefore[i]);
      const goals = [
        goal(
          'it stops answering readiness first',
          firstDown === 503 && closedAt > 0,
          `/ready of edge-a after SIGTERM: ${readiness.map((s) => s || 'refused').join(' → ')}`,
        ),
        goal(
          'its in-flight calls complete',
          completed.length === answers.length,
          answers.map((a) => `${a.status} ${a.body?.error_type ?? 'ok'} in ${a.ms} ms`).join('; '),
        ),
        goal(
          'no call is cut',
          errors.length === 0 && calls.length > 0 && sentAfter[1] > 0,
          errors.length
            ? `${errors.length} errors, first: ${describeCall(errors[0], traffic.startedAt)}`
            : `${calls.length} calls through the balancer, all answered (${balancer.sent.join(' / ')} requests ` +
                `to edge-a / edge-b, ${sentAfter.join(' / ')} after the signal)`,
        ),
        goal('it exits cleanly', code === 0, `ended with ${String(code)}`),
      ];
      return summarize('edge-sigterm', opts, settings, calls, timeline, traffic.startedAt, goals);
    } finally {
      await traffic.done.catch(() => undefined);
      await balancer.close();
    }
  } finally {
    await stack.close();
  }
}
