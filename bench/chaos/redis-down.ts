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
 * private Redis, limits far above the traffic), one deployment per `on_store_failure` mode side by
 * side through one outage: `memory` and
 * `open` answer every call, `closed` refuses with ServiceBusyError (503, Retry-After) and nothing
 * else; no other 5xx in any mode, and every mode is back on Redis once it returns.
 */
export async function redisDown(opts: ScenarioOptions): Promise<ScenarioResult> {
  const settings = {
    modes: MODES,
    users: opts.short ? 2 : 5,
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
    // A NATS per deployment: one shared server would mix their services in the same queue groups.
    const nats = await Promise.all(MODES.map(() => stack.startNats()));
    const redis = await stack.startRedis();
    await stack.useDatabase(`${opts.dbPrefix}_redis_down`, opts.database);
    // One deployment per mode, side by side on the same Redis, through one outage.
    const platforms = await Promise.all(
      MODES.map((mode, i) =>
        stack.startPlatform(
          {
            NATS_URL: nats[i].url,
            MCP_RATE_LIMITING: JSON.stringify({
              enabled: true,
              storage_uri: redis.url,
              key_prefix: `meridian-chaos:${mode}`,
              default_limits: [HIGH],
              per_ip_limits: [HIGH],
              service_limits: { catalog: HIGH, chart: HIGH, sql: HIGH, audit: HIGH },
              on_store_failure: mode,
            }),
          },
          `-${mode}`,
        ),
      ),
    );
    const traffic = platforms.map(({ edge }) =>
      startTraffic(
        `${edge.url}/mcp`,
        settings.users,
        settings.before_s + settings.outage_s + settings.after_s,
      ),
    );
    start = traffic[0].startedAt;
    await sleep(settings.before_s * 1000);
    const stoppedAt = timeline.mark('Redis stopped');
    await redis.stop();
    await sleep(1000);
    const during = await Promise.all(platforms.map(({ edge }) => probe(edge.url)));
    await sleep(Math.max(0, settings.outage_s * 1000 - 1000));
    await redis.start();
    timeline.mark('Redis started again');
    // Back on Redis: every mode answers again (closed above all).
    const recovered = await Promise.all(
      platforms.map(async ({ services, edge }, i) => {
        const readyAt = await allReady([...services, edge], settings.recovery_limit_s * 1000);
        let back: Probe = await probe(edge.url);
        const deadline = Date.now() + settings.recovery_limit_s * 1000;
        while (back.status !== 200 && Date.now() < deadline) {
          await sleep(200);
          back = await probe(edge.url);
        }
        const at = timeline.mark(`${MODES[i]}: calls answered again (REST ${back.status})`);
        return { readyAt, back, at };
      }),
    );
    const made = await Promise.all(traffic.map((t) => t.done));
    timeline.mark('traffic ended');

    for (const [i, mode] of MODES.entries()) {
      const { edge } = platforms[i];
      const mine = made[i];
      calls.push(...mine);
      const failures = await counter(
        `${edge.url}/metrics`,
        'meridian_rate_limit_store_failures_total',
        `mode="${mode}"`,
      );
      const { readyAt, back, at: backAt } = recovered[i];
      const probed = during[i];
      const errors = mine.filter((c) => c.errorType);
      // Refused before MCP is reached (the address limit comes first), it is an HTTP 503 on /mcp.
      const allowed = mode === 'closed' ? ['ServiceBusyError', 'ServiceBusyError (HTTP 503)'] : [];
      const wrong = errors.filter((c) => !allowed.includes(c.errorType!));
      const outside = errors.filter((c) => endOf(c) < stoppedAt || c.startedAt > backAt + 2000);
      const busy = errors.filter((c) => c.errorType?.startsWith('ServiceBusyError')).length;
      const expectedProbe =
        mode === 'closed'
          ? probed.status === 503 && probed.errorType === 'ServiceBusyError' && probed.retryAfter === '1'
          : probed.status === 200;
      goals.push(
        goal(
          `${mode}: behaviour follows on_store_failure`,
          expectedProbe && failures > 0 && (mode !== 'closed' || busy > 0),
          `REST during the outage ${probed.status}${probed.errorType ? ` ${probed.errorType}` : ''}` +
            `${probed.retryAfter ? ` Retry-After ${probed.retryAfter}` : ''}; ` +
            `${failures} decisions without Redis counted (mode="${mode}")` +
            (mode === 'closed' ? `; ${busy} MCP calls refused with ServiceBusyError` : ''),
        ),
        goal(
          `${mode}: no error but ${mode === 'closed' ? 'ServiceBusyError' : 'none'}, none outside the outage`,
          wrong.length === 0 && outside.length === 0,
          wrong.length || outside.length
            ? `first: ${describeCall(wrong[0] ?? outside[0], traffic[i].startedAt)}`
            : `${mine.length} calls, ${errors.length} errors`,
        ),
        goal(
          `${mode}: answers again once Redis returns`,
          readyAt > 0 && back.status === 200,
          `REST answered ${back.status} ${((backAt - stoppedAt) / 1000).toFixed(1)} s after Redis stopped`,
        ),
      );
    }
    return summarize('redis-down', opts, settings, calls, timeline, start, goals);
  } finally {
    await stack.close();
  }
}
