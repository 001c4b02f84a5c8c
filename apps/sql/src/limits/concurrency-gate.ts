import { ServiceBusyError } from '@meridian/errors';

/**
 * At most `concurrency` tasks at once and `queueSize` waiting; beyond that callers are told to
 * come back later rather than pile up on a saturated worker.
 */
export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queueSize: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.enter();
    try {
      return await task();
    } finally {
      this.leave();
    }
  }

  private enter(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.queueSize) {
      throw new ServiceBusyError('The SQL worker is busy; try again shortly', 1, {
        running: this.active,
        queued: this.waiting.length,
      });
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
