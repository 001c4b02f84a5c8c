import { parseArgs } from 'node:util';
import { connect, DeliverPolicy, type NatsConnection } from 'nats';
import type { MeridianConfig } from '@meridian/config';
import {
  EVENTS_STREAM,
  eventsConnectionOptions,
  parseToolEvent,
  toolEventSubject,
  TOOL_EVENT_SUBJECT_PREFIX,
} from '@meridian/events';
import { AuditEvent } from '@meridian/persistence';
import { AuditEventsRepository } from '../../../audit/src/audit-events/audit-events.repository';
import { AUDIT_REPLAY_USAGE, replayDeadLetters } from './audit-replay.command';
import { UsageError, withMetadata, type Say } from './cli-context';

export const AUDIT_USAGE = `meridian audit tail [--follow] [--user <username>] [--tool <tool>] [--limit <n>] [--json]
  prints the latest audit events (default 20); --follow keeps printing new ones until Ctrl-C,
  from the event stream when NATS_URL is set, else by polling the audit table
${AUDIT_REPLAY_USAGE}`;

const POLL_MS = 1_000;

/** The fields a line shows, from a stored row or from a streamed event. */
interface Line {
  event_id: string;
  timestamp: string;
  username: string;
  tool: string;
  status: string;
  error_type: string | null;
  duration_ms: number;
  request_id: string;
}

interface TailOptions {
  user?: string;
  tool?: string;
  json: boolean;
  say: Say;
}

export async function auditCommand(config: MeridianConfig, args: string[], say: Say): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'replay-dead') return replayDeadLetters(config, rest, say);
  if (action !== 'tail')
    throw new UsageError(`Unknown audit command: ${action ?? '(none)'}\n\n${AUDIT_USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      follow: { type: 'boolean', short: 'f', default: false },
      user: { type: 'string' },
      tool: { type: 'string' },
      limit: { type: 'string', short: 'n', default: '20' },
      json: { type: 'boolean', default: false },
    },
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0 || limit > 1000) {
    throw new UsageError('--limit must be a whole number from 0 to 1000');
  }
  const options: TailOptions = { user: values.user, tool: values.tool, json: values.json, say };
  await withMetadata(config, async (ds) => {
    const repo = new AuditEventsRepository(ds.getRepository(AuditEvent));
    const { rows } = await repo.list({ username: options.user, tool: options.tool }, 1, limit, 'desc');
    const printed = new Set<string>();
    for (const row of rows.reverse()) print(fromRow(row), options, printed);
    if (!values.follow) return;
    if (config.natsServers.length > 0) await followStream(config, options, printed);
    else await followTable(repo, await repo.lastId(), options, printed);
  });
}

function fromRow(row: AuditEvent): Line {
  return {
    event_id: row.eventId,
    timestamp: row.timestamp.toISOString(),
    username: row.username,
    tool: row.tool,
    status: row.status,
    error_type: row.errorType,
    duration_ms: row.durationMs,
    request_id: row.requestId,
  };
}

function print(line: Line, { say, json }: TailOptions, printed: Set<string>): void {
  if (printed.has(line.event_id)) return;
  printed.add(line.event_id);
  if (printed.size > 10_000) printed.delete(printed.values().next().value as string);
  if (json) return say(JSON.stringify(line));
  const outcome = line.status === 'success' ? 'success' : `error ${line.error_type ?? ''}`.trim();
  const ms = `${line.duration_ms.toFixed(1)} ms`;
  say(
    [line.timestamp, line.username.padEnd(12), line.tool.padEnd(24), outcome.padEnd(30), ms.padStart(10)]
      .join('  ')
      .concat(`  ${line.request_id}`),
  );
}

/** Resolves on Ctrl-C or SIGTERM. */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** New events straight from the stream, through an ephemeral ordered consumer. */
async function followStream(config: MeridianConfig, options: TailOptions, printed: Set<string>) {
  const nc: NatsConnection = await connect({
    ...eventsConnectionOptions(config, 'meridian-cli-audit-tail'),
    waitOnFirstConnect: false,
  });
  try {
    const subject = options.tool ? toolEventSubject(options.tool) : `${TOOL_EVENT_SUBJECT_PREFIX}.>`;
    const consumer = await nc.jetstream().consumers.get(EVENTS_STREAM, {
      filterSubjects: subject,
      deliver_policy: DeliverPolicy.New,
    });
    const messages = await consumer.consume();
    if (!options.json) options.say(`-- following ${subject} (Ctrl-C to stop)`);
    const stop = untilInterrupted().then(() => messages.stop());
    for await (const m of messages) {
      const parsed = parseToolEvent(m.json<unknown>());
      if (!parsed.ok) continue;
      const e = parsed.event;
      if (options.user !== undefined && e.username !== options.user) continue;
      if (options.tool !== undefined && e.tool !== options.tool) continue;
      print(e, options, printed);
    }
    await stop;
  } finally {
    await nc.close();
  }
}

/** New rows of the audit table, polled (the all-in-one has no stream). */
async function followTable(
  repo: AuditEventsRepository,
  afterId: string,
  options: TailOptions,
  printed: Set<string>,
): Promise<void> {
  let stopped = false;
  void untilInterrupted().then(() => (stopped = true));
  if (!options.json) options.say('-- following the audit table (Ctrl-C to stop)');
  let last = afterId;
  while (!stopped) {
    const rows = await repo.newerThan(last, { username: options.user, tool: options.tool }, 500);
    for (const row of rows) print(fromRow(row), options, printed);
    if (rows.length > 0) last = rows[rows.length - 1].id;
    else await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
