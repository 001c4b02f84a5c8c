import {
  describeCall,
  endOf,
  goal,
  startTraffic,
  summarize,
  Timeline,
  type ScenarioOptions,
  type ScenarioResult,
} from './scenario';
import { allReady, ChaosStack, NO_LIMITS, sleep } from './stack';

/**
 * NATS stopped under load and started again: the edge and the services reconnect by themselves
 * (same processes), calls fail only while it is away, and none waits past its timeout.
 */
export async function natsRestart(opts: ScenarioOptions): Promise<ScenarioResult> {
  const settings = {
    users: opts.short ? 3 : 10,
    before_s: opts.short ? 3 : 15,
    outage_s: opts.short ? 3 : 20,
    after_s: opts.short ? 4 : 20,
    request_timeout_ms: 5000,
    reconnect_limit_s: 30,
  };
  const timeline = new Timeline(opts.log);
  const stack = new ChaosStack(opts.log);
  try {
    const nats = await stack.startNats();
    await stack.useDatabase(`${opts.dbPrefix}_nats_restart`, opts.database);
    const env = {
      NATS_REQUEST_TIMEOUT_MS: String(settings.request_timeout_ms),
      MCP_RATE_LIMITING: NO_LIMITS,
    };
    const { services, edge } = await stack.startPlatform(env);
    const all = [...services, edge];
    const pids = all.map((s) => s.proc.child.pid);

    const traffic = startTraffic(
      `${edge.url}/mcp`,
      settings.users,
      settings.before_s + settings.outage_s + settings.after_s,
    );
    await sleep(settings.before_s * 1000);
    const stoppedAt = timeline.mark('NATS stopped');
    await nats.stop();
    await sleep(settings.outage_s * 1000);
    await nats.start();
    const restartedAt = timeline.mark('NATS started again');
    const readyAt = await allReady(all, settings.reconnect_limit_s * 1000);
    if (readyAt) timeline.mark('edge and services ready again');
    const calls = await traffic.done;
    timeline.mark('traffic ended');

    const misplaced = calls.filter(
      (c) => c.errorType && (endOf(c) < stoppedAt || (readyAt && c.startedAt > readyAt)),
    );
    const after = calls.filter((c) => readyAt && c.startedAt > readyAt);
    const limit = settings.request_timeout_ms + 2000;
    const longest = calls.reduce((m, c) => Math.max(m, c.ms), 0);
    const samePids = all.every((s, i) => s.proc.child.pid === pids[i] && s.proc.child.exitCode === null);
    const goals = [
      goal(
        'the edge and services reconnect by themselves',
        readyAt > 0 && samePids,
        readyAt
          ? `all ${all.length} processes ready ${((readyAt - restartedAt) / 1000).toFixed(1)} s after NATS returned` +
              (samePids ? ', none restarted' : ', but a process was restarted or exited')
          : `not all ready within ${settings.reconnect_limit_s} s`,
      ),
      goal(
        'errors only during the outage',
        misplaced.length === 0 && after.length > 0,
        misplaced.length
          ? `${misplaced.length} errors outside it, first: ${describeCall(misplaced[0], traffic.startedAt)}`
          : `${after.length} calls after recovery, all answered`,
      ),
      goal(
        'no call hangs past its timeout',
        longest <= limit,
        `longest call ${Math.round(longest)} ms, limit ${limit} ms (NATS_REQUEST_TIMEOUT_MS + 2 s)`,
      ),
    ];
    return summarize('nats-restart', opts, settings, calls, timeline, traffic.startedAt, goals);
  } finally {
    await stack.close();
  }
}
