import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ProgressToken, ServerNotification } from '@modelcontextprotocol/sdk/types.js';

/** A call running longer than this reports progress, and again every time it elapses. */
export const PROGRESS_INTERVAL_MS = 2000;

/** The cancel key of an MCP call: the caller's JSON-RPC request id, which a cancellation names. */
export const mcpCancelKey = (requestId: string | number): string => `mcp:${requestId}`;

type CancelListener = (authInfo: unknown, requestId: string | number) => void;

function cancelledRequestId(message: unknown): string | number | undefined {
  const m = message as { method?: unknown; params?: { requestId?: unknown } } | undefined;
  if (m?.method !== 'notifications/cancelled') return undefined;
  const id = m.params?.requestId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/**
 * The SDK's server, telling `onCancelled` about every `notifications/cancelled` together with the
 * authentication of the HTTP request that carried it. A stateless edge serves the cancellation in
 * another request (maybe on another replica) than the call it names, so the SDK's own handling,
 * which only aborts calls of the same server, cannot reach it.
 */
export class CancellableServer extends Server {
  constructor(
    info: ConstructorParameters<typeof Server>[0],
    options: ConstructorParameters<typeof Server>[1],
    private readonly onCancelled: CancelListener,
  ) {
    super(info, options);
  }

  override async connect(transport: Transport): Promise<void> {
    await super.connect(transport);
    const deliver = transport.onmessage;
    transport.onmessage = (message, extra) => {
      const id = cancelledRequestId(message);
      if (id !== undefined) this.onCancelled(extra?.authInfo, id);
      deliver?.(message, extra);
    };
  }
}

/** MCP's log levels, least severe first (RFC 5424 names). */
export const LOG_LEVELS = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The least severe level the caller wants log messages at, for this call: `_meta.logLevel` when it
 * names a level (a stateless edge keeps no `logging/setLevel` between requests), else `info`.
 */
export function callLogLevel(meta: unknown): LogLevel {
  const wanted = (meta as { logLevel?: unknown } | undefined)?.logLevel;
  return LOG_LEVELS.includes(wanted as LogLevel) ? (wanted as LogLevel) : 'info';
}

/**
 * While a call runs, on the call's own stream: `notifications/progress` (elapsed seconds) when the
 * caller asked for progress with a progressToken, and an `info` log message (`notifications/message`)
 * saying the tool still runs unless the caller's level for the call is above `info`. First after
 * PROGRESS_INTERVAL_MS, then again each time it elapses. Returns how to stop.
 */
export function reportProgress(
  token: ProgressToken | undefined,
  send: (notification: ServerNotification) => Promise<void>,
  log?: { tool: string; level: LogLevel },
): () => void {
  const logging = log !== undefined && LOG_LEVELS.indexOf(log.level) <= LOG_LEVELS.indexOf('info');
  if (token === undefined && !logging) return () => undefined;
  const started = Date.now();
  const timer = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    const message = `Still running after ${seconds} s`;
    const sent: Promise<void>[] = [];
    if (token !== undefined) {
      sent.push(
        send({
          method: 'notifications/progress',
          params: { progressToken: token, progress: seconds, message },
        }),
      );
    }
    if (logging) {
      sent.push(
        send({
          method: 'notifications/message',
          params: {
            level: 'info',
            logger: 'meridian',
            data: {
              tool: log.tool,
              status: 'running',
              elapsed_seconds: seconds,
              message: `${log.tool}: ${message}`,
            },
          },
        }),
      );
    }
    Promise.all(sent).catch(() => clearInterval(timer));
  }, PROGRESS_INTERVAL_MS);
  return () => clearInterval(timer);
}
