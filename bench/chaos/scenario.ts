import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MIX, runLoadTest, type CallRecord } from '../load-test';
import { ROOT, type MetadataDatabase } from './stack';

export interface ScenarioOptions {
  /** The CI version: seconds of traffic and a few users instead of the full run. */
  short: boolean;
  log: (line: string) => void;
  /** A metadata database the caller made (the e2e test clones its template); else one is created. */
  database?: MetadataDatabase;
  /** Prefix of the databases a scenario creates for itself. */
  dbPrefix: string;
}

export interface Goal {
  goal: string;
  held: boolean;
  detail: string;
}

export interface ScenarioResult {
  scenario: string;
  started_at: string;
  short: boolean;
  settings: Record<string, unknown>;
  calls: number;
  errors: number;
  errors_by_type: Record<string, number>;
  longest_call_ms: number;
  longest_call_tool: string;
  /** Seconds from the start of traffic to each fault and recovery. */
  timeline: { at_s: number; event: string }[];
  goals: Goal[];
  held: boolean;
}

/** What happened when, in epoch milliseconds. */
export class Timeline {
  private readonly marks: { at: number; event: string }[] = [];
  constructor(private readonly log: (line: string) => void) {}

  mark(event: string): number {
    const at = Date.now();
    this.marks.push({ at, event });
    this.log(`  ${new Date(at).toISOString().slice(11, 23)} ${event}`);
    return at;
  }

  relativeTo(start: number): ScenarioResult['timeline'] {
    return this.marks.map((m) => ({ at_s: Math.round((m.at - start) / 100) / 10, event: m.event }));
  }
}

export interface Traffic {
  /** Every call so far, in the order they ended. */
  calls: CallRecord[];
  startedAt: number;
  /** All calls, once the last user stopped. */
  done: Promise<CallRecord[]>;
}

/** Closed-loop MCP users (the load test's, with its 3:2:1 mix) against `mcpUrl` for `seconds`. */
export function startTraffic(
  mcpUrl: string,
  users: number,
  seconds: number,
  mix: Record<string, number> = DEFAULT_MIX,
): Traffic {
  const calls: CallRecord[] = [];
  const startedAt = Date.now();
  const done = runLoadTest(mcpUrl, {
    users,
    rampSeconds: 0,
    durationSeconds: seconds,
    thinkMinSeconds: 0,
    thinkMaxSeconds: 0,
    closed: true,
    mix,
    goalP95Ms: Number.POSITIVE_INFINITY,
    goalErrorRatio: 1,
    onCall: (call) => calls.push(call),
  }).then(() => calls);
  return { calls, startedAt, done };
}

export const endOf = (call: CallRecord) => call.startedAt + call.ms;

export function describeCall(call: CallRecord, start: number): string {
  return (
    `${call.tool} at ${((call.startedAt - start) / 1000).toFixed(1)} s ` +
    `(${Math.round(call.ms)} ms, ${call.errorType ?? 'ok'}, request ${call.requestId})`
  );
}

export function goal(name: string, held: boolean, detail: string): Goal {
  return { goal: name, held, detail };
}

/** The figures every scenario prints, from the calls it made and the goals it checked. */
export function summarize(
  scenario: string,
  opts: ScenarioOptions,
  settings: Record<string, unknown>,
  calls: CallRecord[],
  timeline: Timeline,
  start: number,
  goals: Goal[],
): ScenarioResult {
  const errorsByType: Record<string, number> = {};
  for (const c of calls) if (c.errorType) errorsByType[c.errorType] = (errorsByType[c.errorType] ?? 0) + 1;
  const longest = calls.reduce<CallRecord | undefined>((a, c) => (!a || c.ms > a.ms ? c : a), undefined);
  return {
    scenario,
    started_at: new Date(start).toISOString(),
    short: opts.short,
    settings,
    calls: calls.length,
    errors: calls.filter((c) => c.errorType).length,
    errors_by_type: errorsByType,
    longest_call_ms: Math.round(longest?.ms ?? 0),
    longest_call_tool: longest?.tool ?? '',
    timeline: timeline.relativeTo(start),
    goals,
    held: goals.length > 0 && goals.every((g) => g.held),
  };
}

export function formatResult(r: ScenarioResult): string {
  const errors = Object.entries(r.errors_by_type)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  return [
    `\n${r.scenario}${r.short ? ' (short)' : ''}: ${r.calls} calls, ${r.errors} errors${errors ? ` (${errors})` : ''}, ` +
      `longest call ${r.longest_call_ms} ms (${r.longest_call_tool || '-'})`,
    ...r.timeline.map((t) => `  ${t.at_s.toFixed(1).padStart(6)} s  ${t.event}`),
    ...r.goals.map((g) => `  [${g.held ? 'held' : 'FAILED'}] ${g.goal}: ${g.detail}`),
    `${r.scenario}: goal ${r.held ? 'held' : 'NOT held'}`,
  ].join('\n');
}

/** Writes the summary to bench/results/chaos-<scenario>.json; answers the path. */
export function writeResult(r: ScenarioResult, dir = join(ROOT, 'bench/results')): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `chaos-${r.scenario}${r.short ? '-short' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}
