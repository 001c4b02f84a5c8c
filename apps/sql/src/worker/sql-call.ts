import {
  MAX_CANCEL_KEY_LENGTH,
  sqlOverflowSubject,
  type Principal,
  type ToolRequest,
} from '@meridian/contracts';

const OVERFLOW_SUFFIX = sqlOverflowSubject('');

/** One tool call as the sql worker runs it. */
export interface SqlCall {
  principal: Principal;
  requestId: string;
  /** The edge's name for the call, so that a cancel can reach it (with the same principal). */
  cancelKey?: string;
  /** Epoch ms when the worker took the call: its timeout counts from here, queueing included. */
  receivedAt: number;
  /**
   * Came on the overflow subject (no worker had a free slot): it may wait in the queue. A call on
   * the tool subject finding every slot taken is sent back to try the other workers first.
   */
  mayQueue: boolean;
}

/**
 * The call a verified tool request stands for. Everything it acts on is signed: the cancel key, and
 * the subject (the interceptor has checked that the request came on the subject it was signed for).
 */
export function sqlCall(req: ToolRequest<unknown>): SqlCall {
  const key = req.cancel_key;
  return {
    principal: req.principal,
    requestId: req.request_id,
    cancelKey:
      typeof key === 'string' && key.length > 0 && key.length <= MAX_CANCEL_KEY_LENGTH ? key : undefined,
    receivedAt: Date.now(),
    mayQueue: req.envelope.subject.endsWith(OVERFLOW_SUFFIX),
  };
}
