import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { fromEvent, lastValueFrom, map, NEVER, race, take, throwError, timeout } from 'rxjs';
import type { MeridianConfig } from '@meridian/config';
import {
  SQL_CANCEL_SUBJECT,
  SQL_CANCEL_TOOL,
  sqlOverflowSubject,
  type Principal,
  type SqlCancelArgs,
  type ToolDefinition,
} from '@meridian/contracts';
import { ServiceUnavailableError, TimeoutError } from '@meridian/errors';
import type { EnvelopeSigner, SignableRequest } from '@meridian/messaging';

/** Beyond a query's own timeout: the worker's cancel grace, the hop and the answer's way back. */
export const SERVICE_TIMEOUT_MARGIN_MS = 5000;
const CANCEL_SEND_TIMEOUT_MS = 2000;

/** What a call stopped by its caller (client gone, MCP cancellation) answers. */
export function callCancelled(): TimeoutError {
  return new TimeoutError('The call was cancelled at the caller’s request', { reason: 'cancelled' });
}

/**
 * How long the edge waits for a tool: a tool with a `timeout` argument (seconds) gets it, or its
 * default, plus a margin; any other NATS_REQUEST_TIMEOUT_MS; never more than
 * SUPERSET_WEBSERVER_TIMEOUT.
 */
export function callTimeoutMs(tool: ToolDefinition, args: unknown, config: MeridianConfig): number {
  const declared = tool.inputSchema.properties?.timeout;
  if (!declared) return Math.min(config.requestTimeoutMs, config.webserverTimeoutMs);
  const given = (args as { timeout?: unknown } | undefined)?.timeout;
  const seconds =
    typeof given === 'number'
      ? given
      : Math.min(Number(declared.default ?? 30), config.sql.maxTimeoutSeconds);
  return Math.min(seconds * 1000 + SERVICE_TIMEOUT_MARGIN_MS, config.webserverTimeoutMs);
}

/** A request before signing: each message sent for it gets its own envelope. */
export type OutgoingRequest = Omit<SignableRequest, 'cancel_key'>;

/** A worker's "every slot taken, try another": it has left the tool subject meanwhile. */
function isSaturated(err: unknown): boolean {
  const e = err as { error_type?: unknown; details?: { saturated?: unknown } } | null;
  return e?.error_type === 'ServiceBusyError' && e.details?.saturated === true;
}

export interface CallOptions {
  /** Aborts when the caller goes away or cancels. */
  signal?: AbortSignal;
  /** The call's name for a cancel (sql calls): `mcp:<request id>`, else one of the edge's own. */
  cancelKey?: string;
}

interface Attempt {
  tool: ToolDefinition;
  /** The call's whole budget, and what is left of it for this try. */
  budgetMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Sends one call to its service and waits for the answer, its deadline or its caller's abort,
 * whichever comes first. Every message it sends is signed on its own (its own nonce, for the
 * subject it goes to), since a service accepts a signed message once. sql calls carry a cancel key
 * inside the signature: when the caller aborts or the edge stops
 * waiting, every sql worker hears a signed cancel for it. When no sql worker is on the tool's
 * subject (each saturated worker leaves it), the call goes to the overflow subject, where a worker
 * queues it or answers ServiceBusyError at once.
 */
export class ServiceCaller {
  private readonly logger = new Logger(ServiceCaller.name);

  constructor(
    private readonly clients: Partial<Record<string, ClientProxy>>,
    private readonly signer: EnvelopeSigner,
    private readonly config: MeridianConfig,
  ) {}

  async send(client: ClientProxy, tool: ToolDefinition, request: OutgoingRequest, options: CallOptions = {}) {
    const { principal, args, request_id: requestId } = request;
    const budgetMs = callTimeoutMs(tool, args, this.config);
    const attempt: Attempt = { tool, budgetMs, timeoutMs: budgetMs, signal: options.signal };
    if (tool.service !== 'sql') return this.once(client, tool.subject, request, attempt);
    const cancelKey = options.cancelKey ?? randomUUID();
    const named: SignableRequest = { ...request, cancel_key: cancelKey };
    const deadline = Date.now() + attempt.timeoutMs;
    const left = () => ({ ...attempt, timeoutMs: Math.max(1, deadline - Date.now()) });
    try {
      // The tool subject reaches only workers with a free slot; a saturated one that got the call
      // in the instant before it left says so, and the second try goes to the others.
      for (let tries = 1; ; tries++) {
        try {
          return await this.once(client, tool.subject, named, left());
        } catch (err) {
          if (isSaturated(err) && tries < 2) continue;
          if (!isSaturated(err) && !(err instanceof ServiceUnavailableError)) throw err;
          break;
        }
      }
      return await this.once(client, sqlOverflowSubject(tool.subject), named, left());
    } catch (err) {
      // Stopped waiting (deadline or caller gone): the query must not run on without anyone.
      if (err instanceof TimeoutError) this.cancel(principal, cancelKey, requestId);
      throw err;
    }
  }

  /** Tells every sql worker to stop the principal's calls under `cancelKey`; does not wait. */
  cancel(principal: Principal, cancelKey: string, requestId: string): void {
    const client = this.clients.sql;
    if (!client) return;
    const args: SqlCancelArgs = { cancel_key: cancelKey };
    const cancel = { tool: SQL_CANCEL_TOOL, args, principal, request_id: requestId };
    const message = { ...cancel, envelope: this.signer.sign(cancel, SQL_CANCEL_SUBJECT) };
    client
      .send(SQL_CANCEL_SUBJECT, message)
      .pipe(timeout(CANCEL_SEND_TIMEOUT_MS))
      .subscribe({
        error: (err: unknown) => this.logger.debug({ err, request_id: requestId }, 'Cancel not delivered'),
      });
  }

  private once(
    client: ClientProxy,
    subject: string,
    request: SignableRequest,
    call: Attempt,
  ): Promise<unknown> {
    if (call.signal?.aborted) return Promise.reject(callCancelled());
    const { service, name } = call.tool;
    const message = { ...request, envelope: this.signer.sign(request, subject) };
    const answer$ = client.send(subject, message).pipe(
      timeout({
        first: call.timeoutMs,
        with: () =>
          throwError(
            () =>
              new TimeoutError(`The ${service} service did not answer ${name} within ${call.budgetMs} ms`, {
                service,
                timeout_ms: call.budgetMs,
              }),
          ),
      }),
    );
    const aborted$ = call.signal
      ? fromEvent(call.signal, 'abort').pipe(
          take(1),
          map(() => {
            throw callCancelled();
          }),
        )
      : NEVER;
    return lastValueFrom(race(answer$, aborted$));
  }
}
