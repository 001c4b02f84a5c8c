import { Client } from 'pg';
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

/** Rows of audit_events per request id, for the ids given. */
async function rowsByRequest(databaseUrl: string, ids: string[]): Promise<Map<string, number>> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ request_id: string; n: number }>(
      'SELECT request_id, count(*)::int AS n FROM audit_events WHERE request_id = ANY($1) GROUP BY request_id',
      [ids],
    );
    return new Map(rows.map((r) => [r.request_id, r.n]));
  } finally {
    await pg.end();
  }
}

/**
 * The audit service stopped for a while under load and started again: the calls do not notice, and
 * once it has caught up every call of the run (those of the outage above all) has exactly one row
 * in audit_events, found by the request id the call was sent with.
 */
export async function auditDown(opts: ScenarioOptions): Promise<ScenarioResult> {
  const settings = {
    users: opts.short ? 3 : 10,
    before_s: opts.short ? 2 : 10,
    outage_s: opts.short ? 4 : 60,
    after_s: opts.short ? 3 : 10,
    catch_up_limit_s: 60,
  };
  const timeline = new Timeline(opts.log);
  const stack = new ChaosStack(opts.log);
  try {
    await stack.startNats();
    const db = await stack.useDatabase(`${opts.dbPrefix}_audit_down`, opts.database);
    const env = { MCP_RATE_LIMITING: NO_LIMITS };
    const audit = await stack.startService('audit', env);
    const { edge } = await stack.startPlatform(env);
    await stack.ready(audit);

    const traffic = startTraffic(
      `${edge.url}/mcp`,
      settings.users,
      settings.before_s + settings.outage_s + settings.after_s,
    );
    await sleep(settings.before_s * 1000);
    const stoppedAt = timeline.mark('audit service stopped');
    const code = await audit.proc.stop();
    timeline.mark(`audit service exited with ${String(code)}`);
    await sleep(settings.outage_s * 1000);
    audit.proc.restart();
    const startedAt = timeline.mark('audit service started again');
    const readyAt = await allReady([audit], 60_000);
    if (readyAt) timeline.mark('audit service ready');
    const calls = await traffic.done;
    timeline.mark('traffic ended');

    const ids = calls.map((c) => c.requestId);
    let stored = new Map<string, number>();
    const deadline = Date.now() + settings.catch_up_limit_s * 1000;
    do {
      stored = await rowsByRequest(db.url, ids);
      if (stored.size >= ids.length) break;
      await sleep(500);
    } while (Date.now() < deadline);
    timeline.mark(`${stored.size} of ${ids.length} calls found in audit_events`);

    const inOutage = calls.filter((c) => endOf(c) >= stoppedAt && c.startedAt <= startedAt);
    const missing = calls.filter((c) => !stored.has(c.requestId));
    const twice = calls.filter((c) => (stored.get(c.requestId) ?? 0) > 1);
    const errors = calls.filter((c) => c.errorType);
    const goals = [
      goal(
        'calls go on while the audit service is down',
        errors.length === 0 && inOutage.length > 0,
        errors.length
          ? `${errors.length} errors, first: ${describeCall(errors[0], traffic.startedAt)}`
          : `${inOutage.length} calls during the outage, all answered`,
      ),
      goal(
        'every event of the outage is stored exactly once',
        missing.length === 0 && twice.length === 0 && stored.size > 0,
        `${calls.length} calls (${inOutage.length} during the outage): ${missing.length} without a row, ` +
          `${twice.length} with more than one` +
          (missing[0] ? `; first missing: ${describeCall(missing[0], traffic.startedAt)}` : ''),
      ),
    ];
    return summarize('audit-down', opts, settings, calls, timeline, traffic.startedAt, goals);
  } finally {
    await stack.close();
  }
}
