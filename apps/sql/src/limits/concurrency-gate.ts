import { ServiceBusyError, ServiceUnavailableError, TimeoutError } from '@meridian/errors';
import { cancelledError } from '../engines/engine';

/** What the gate looks like now; `paused`: the worker should take no new work from the queue group. */
export interface GateState {
  running: number;
  queued: number;
  paused: boolean;
  closing: boolean;
}

export interface GateEntry {
  /** Epoch ms after which a task still waiting for a slot gives up (TimeoutError). */
  deadline?: number;
  /** Aborting it takes a waiting task out of the queue. */
  signal?: AbortSignal;
  /**
   * May wait for a slot (default). When not, a task finding every slot taken is refused at once
   * with ServiceBusyError `{saturated: true}`, so that its sender tries other workers first.
   */
  mayWait?: boolean;
}

/** A call on the tool subject finding every slot taken: its sender tries the other workers first. */
export function saturatedError(running: number): ServiceBusyError {
  return new ServiceBusyError('This SQL worker is saturated; try another', 1, { saturated: true, running });
}

interface Waiter {
  admit(): void;
}

/**
 * At most `concurrency` tasks at once and `queueSize` waiting; beyond that callers are told to
 * come back later rather than pile up on a saturated worker. With every slot taken the gate says
 * `paused` (the worker leaves its queue group, so new work goes to idle workers) and stays paused
 * until running plus waiting tasks drop to the low-water mark, so it does not flap on every
 * finished query. Waiting tasks give up at their deadline or when their caller cancels.
 */
export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private pausedNow = false;
  private closing = false;
  private readonly listeners = new Set<(state: GateState) => void>();
  private readonly idleWaiters = new Set<() => void>();
  readonly lowWater: number;

  constructor(
    private readonly concurrency: number,
    private readonly queueSize: number,
    lowWater = Math.floor(concurrency / 2),
  ) {
    this.lowWater = Math.max(0, Math.min(lowWater, concurrency - 1));
  }

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  get paused(): boolean {
    return this.pausedNow;
  }

  /** Every slot is taken: a new task would wait or be refused. */
  get full(): boolean {
    return this.active >= this.concurrency;
  }

  get state(): GateState {
    return {
      running: this.active,
      queued: this.waiting.length,
      paused: this.pausedNow,
      closing: this.closing,
    };
  }

  /** Calls `listener` on every change of state; returns how to stop. */
  onChange(listener: (state: GateState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async run<T>(task: () => Promise<T>, entry: GateEntry = {}): Promise<T> {
    await this.enter(entry);
    try {
      return await task();
    } finally {
      this.leave();
    }
  }

  /** Takes no new work from now on (the worker is stopping); running and waiting tasks go on. */
  shutdown(): void {
    this.closing = true;
    this.update();
  }

  /** Resolves true once nothing runs or waits, or false after `timeoutMs`. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.active === 0 && this.waiting.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(value);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(onIdle);
    });
  }

  private enter(entry: GateEntry): Promise<void> {
    if (this.closing) throw new ServiceUnavailableError('The SQL worker is shutting down; try again');
    if (entry.signal?.aborted) throw cancelledError();
    if (this.active < this.concurrency) {
      this.active++;
      this.update();
      return Promise.resolve();
    }
    if (entry.mayWait === false) throw saturatedError(this.active);
    if (this.waiting.length >= this.queueSize) {
      throw new ServiceBusyError('Every SQL worker is busy; try again shortly', 1, {
        running: this.active,
        queued: this.waiting.length,
      });
    }
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (error?: Error) => {
        clearTimeout(timer);
        entry.signal?.removeEventListener('abort', onAbort);
        if (!error) return resolve();
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        this.update();
        reject(error);
      };
      const onAbort = () => settle(cancelledError());
      const waiter: Waiter = { admit: () => settle() };
      if (entry.deadline !== undefined) {
        timer = setTimeout(
          () => settle(new TimeoutError('No query slot became free on the SQL worker within the timeout')),
          Math.max(0, entry.deadline - Date.now()),
        );
      }
      entry.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.update();
    });
  }

  private leave(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiting task.
    if (next) next.admit();
    else this.active--;
    this.update();
  }

  private update(): void {
    const load = this.active + this.waiting.length;
    if (this.closing || this.active >= this.concurrency) this.pausedNow = true;
    else if (this.pausedNow && load <= this.lowWater) this.pausedNow = false;
    const state = this.state;
    for (const listener of this.listeners) listener(state);
    if (load === 0) for (const idle of [...this.idleWaiters]) idle();
  }
}
