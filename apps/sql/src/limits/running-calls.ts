import type { Principal } from '@meridian/contracts';

/** A call in progress on this worker; aborting its signal cancels its query. */
export interface RunningCall {
  readonly signal: AbortSignal;
  /** Forgets the call (it finished). */
  close(): void;
}

const keyOf = (userId: number, cancelKey: string) => `${userId}\u0000${cancelKey}`;

/**
 * The calls this worker runs, by caller and cancel key (the edge's key for the call: the MCP
 * request id, or one of its own). A cancel names both, so a caller can only stop their own calls.
 */
export class RunningCalls {
  private readonly byKey = new Map<string, Set<AbortController>>();
  private readonly all = new Set<AbortController>();

  get size(): number {
    return this.all.size;
  }

  open(principal: Pick<Principal, 'user_id'>, cancelKey: string | undefined): RunningCall {
    const controller = new AbortController();
    const key = cancelKey ? keyOf(principal.user_id, cancelKey) : undefined;
    this.all.add(controller);
    if (key) {
      const set = this.byKey.get(key) ?? new Set();
      set.add(controller);
      this.byKey.set(key, set);
    }
    return {
      signal: controller.signal,
      close: () => {
        this.all.delete(controller);
        if (!key) return;
        const set = this.byKey.get(key);
        set?.delete(controller);
        if (set?.size === 0) this.byKey.delete(key);
      },
    };
  }

  /** Cancels the caller's calls under `cancelKey`; returns how many there were. */
  cancel(userId: number, cancelKey: string): number {
    const set = this.byKey.get(keyOf(userId, cancelKey));
    if (!set) return 0;
    for (const controller of set) controller.abort();
    return set.size;
  }

  /** Cancels every call (a shutdown that could not wait for them any longer). */
  cancelAll(): number {
    for (const controller of this.all) controller.abort();
    return this.all.size;
  }
}
