import { describe, expect, it } from 'vitest';
import { ServiceBusyError, ServiceUnavailableError, TimeoutError } from '@meridian/errors';
import { ConcurrencyGate } from './concurrency-gate';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('ConcurrencyGate', () => {
  it('runs up to its concurrency, queues up to its queue size, and refuses the rest', async () => {
    const gate = new ConcurrencyGate(2, 1);
    const blockers = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = blockers.map((b, i) =>
      gate.run(async () => {
        started.push(i);
        await b.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(gate.running).toBe(2);
    expect(gate.queued).toBe(1);
    const refused = await gate.run(async () => 'never').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServiceBusyError);
    expect((refused as ServiceBusyError).retryAfterSeconds).toBe(1);
    blockers[0].resolve();
    expect(await runs[0]).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    blockers[1].resolve();
    blockers[2].resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(gate.running).toBe(0);
  });

  it('frees its slot when a task fails', async () => {
    const gate = new ConcurrencyGate(1, 0);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(async () => 'ok')).resolves.toBe('ok');
  });

  it('pauses when every slot is taken and resumes only at its low-water mark', async () => {
    const gate = new ConcurrencyGate(4, 4, 2);
    const states: boolean[] = [];
    gate.onChange((s) => states.push(s.paused));
    const blockers = [deferred(), deferred(), deferred(), deferred()];
    const runs = blockers.map((b) => gate.run(() => b.promise));
    expect(gate.paused).toBe(true);
    blockers[0].resolve();
    await runs[0];
    expect([gate.running, gate.paused]).toEqual([3, true]);
    blockers[1].resolve();
    await runs[1];
    expect([gate.running, gate.paused]).toEqual([2, false]);
    expect(states.filter((p, i) => p !== states[i - 1])).toEqual([false, true, false]);
    blockers[2].resolve();
    blockers[3].resolve();
    await Promise.all(runs);
  });

  it('lets a waiting task give up at its deadline, and a cancelled one leave the queue', async () => {
    const gate = new ConcurrencyGate(1, 2);
    const blocker = deferred();
    const running = gate.run(() => blocker.promise);
    const late = gate.run(async () => 'never', { deadline: Date.now() + 20 });
    const controller = new AbortController();
    const cancelled = gate.run(async () => 'never', { signal: controller.signal });
    expect(gate.queued).toBe(2);
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ type: 'TimeoutError', details: { reason: 'cancelled' } });
    await expect(late).rejects.toBeInstanceOf(TimeoutError);
    expect([gate.running, gate.queued]).toEqual([1, 0]);
    blocker.resolve();
    await running;
    expect(gate.running).toBe(0);
  });

  it('on shutdown takes no new work, says paused, and reports when it has drained', async () => {
    const gate = new ConcurrencyGate(2, 2);
    const blocker = deferred();
    const running = gate.run(() => blocker.promise);
    gate.shutdown();
    expect(gate.state).toMatchObject({ paused: true, closing: true, running: 1 });
    await expect(gate.run(async () => 'x')).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(await gate.drained(10)).toBe(false);
    const drained = gate.drained(1000);
    blocker.resolve();
    await running;
    expect(await drained).toBe(true);
  });
});
