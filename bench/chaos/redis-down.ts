import type { CallRecord } from '../load-test';
import {
  describeCall,
  endOf,
  goal,
  startTraffic,
  summarize,
  Timeline,
  type Goal,
  type ScenarioOptions,
  type ScenarioResult,
} from './scenario';
import { allReady, ChaosStack, sleep } from './stack';

export type StoreFailureMode = 'memory' | 'open' | 'closed';
const MODES: StoreFailureMode[] = ['memory', 'open', 'closed'];
const HIGH = '1000000 per minute';

/** A REST call answered while Redis is away: its status, error type and Retry-After. */
interface Probe {
  status: number;
  errorType?: string;
  retryAfter: string | null;
}

async function probe(baseUrl: string): Promise<Probe> {
  const res = await fetch(`${baseUrl}/list_charts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ request: { page_size: 1 } }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { error_type?: string };
  return { status: res.status, errorType: body.error_type, retryAfter: res.headers.get('retry-after') };
}

/** Sum of `name` over the lines of a /metrics page that contain `part`. */
async function counter(metricsUrl: string, name: string, part: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(part))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/**
 * Redis stopped under load with rate limiting on it (MCP_RATE_LIMITING with storage_uri on the
 * private Redis, limits far above the traffic), once per `on_store_failure` mode: `memory` and
 * `open` answer every call, `closed` refuses with ServiceBusyError (503, Retry-After) and nothing
 * else; no other 5xx in any mode, and every mode is back on Redis once it returns.
 */
export async function redisDown(opts: ScenarioOptions): Promise<ScenarioResult> {
  const settings = {
    modes: MODES,
    users: opts.short ? 3 : 10,
    before_s: opts.short ? 2 : 10,
    outage_s: opts.short ? 3 : 20,
    after_s: opts.short ? 4 : 15,
    recovery_limit_s: 15,
  };
  const timeline = new Timeline(opts.log);
  const stack = new ChaosStack(opts.log);
  const calls: CallRecord[] = [];
  const goals: Goal[] = [];
  let start = 0;
  try {
    await stack.startNats();
    const redis = await stack.startRedis();
    await stack.useDatabase(`${opts.dbPrefix}_redis_down`, opts.database);
    for (const mode of MODES) {
      const env = {
        MCP_RATE_LIMITING: JSON.stringify({
          enabled: true,
          storage_uri: redis.url,
          key_prefix: `meridian-chaos:${mode}`,
          default_limits: [HIGH],
          per_ip_limits: [HIGH],
          service_limits: { catalog: HIGH, chart: HIGH, sql: HIGH, audit: HIGH },
          on_store_failure: mode,
        }),
      };
      const { services, edge } = await stack.startPlatform(env, `-${mode}`);

      const traffic = startTraffic(
        `${edge.url}/mcp`,
        settings.users,
        settings.before_s + settings.outage_s + settings.after_s,
      );
      start ||= traffic.startedAt;
      await sleep(settings.before_s * 1000);
      const stoppedAt = timeline.mark(`${mode}: Redis stopped`);
      await redis.stop();
      await sleep(1000);
      const during = await probe(edge.url);
      await sleep(Math.max(0, settings.outage_s * 1000 - 1000));
      await redis.start();
      timeline.mark(`${mode}: Redis started again`);
      // Back on Redis: a call counted there again (closed mode answers again).
      const recoveredAt = await allReady([...services, edge], settings.recovery_limit_s * 1000);
      let back: Probe = await probe(edge.url);
      const deadline = Date.now() + settings.recovery_limit_s * 1000;
      while (back.status !== 200 && Date.now() < deadline) {
        await sleep(200);
        back = await probe(edge.url);
      }
      const backAt = timeline.mark(`${mode}: calls answered again (REST ${back.status})`);
      const mine = await traffic.done;
      calls.push(...mine);
      const failures = await counter(
        `${edge.url}/metrics`,
        'meridian_rate_limit_store_failures_total',
        `mode="${mode}"`,
      );
      await Promise.all([...services, edge].map((s) => s.proc.stop()));

      const errors = mine.filter((c) => c.errorType);
      const allowed = mode === 'closed' ? ['ServiceBusyError'] : [];
      const wrong = errors.filter((c) => !allowed.includes(c.errorType!));
      const outside = errors.filter((c) => endOf(c) < stoppedAt || c.startedAt > backAt + 2000);
      const busy = errors.filter((c) => c.errorType === 'ServiceBusyError').length;
      const expectedProbe =
        mode === 'closed'
          ? during.status === 503 && during.errorType === 'ServiceBusyError' && during.retryAfter === '1'
          : during.status === 200;
      goals.push(
        goal(
          `${mode}: behaviour follows on_store_failure`,
          expectedProbe && failures > 0 && (mode !== 'closed' || busy > 0),
          `REST during the outage ${during.status}${during.errorType ? ` ${during.errorType}` : ''}` +
            `${during.retryAfter ? ` Retry-After ${during.retryAfter}` : ''}; ` +
            `${failures} decisions without Redis counted (mode="${mode}")` +
            (mode === 'closed' ? `; ${busy} MCP calls refused with ServiceBusyError` : ''),
        ),
        goal(
          `${mode}: no error but ${allowed.join(', ') || 'none'}, none outside the outage`,
          wrong.length === 0 && outside.length === 0,
          wrong.length || outside.length
            ? `first: ${describeCall(wrong[0] ?? outside[0], traffic.startedAt)}`
            : `${mine.length} calls, ${errors.length} errors`,
        ),
        goal(
          `${mode}: back on Redis once it returns`,
          recoveredAt > 0 && back.status === 200,
          `REST answered ${back.status} ${((backAt - stoppedAt) / 1000).toFixed(1)} s after Redis stopped`,
        ),
      );
    }
    return summarize('redis-down', opts, settings, calls, timeline, start, goals);
  } finally {
    await stack.close();
  }
}
