import { loadConfig } from '@meridian/config';
import { ReadinessService } from '@meridian/observability';
import { describe, expect, it } from 'vitest';
import { ShutdownDelay } from './shutdown-delay';

function setup(delaySeconds: string) {
  const readiness = new ReadinessService();
  const delay = new ShutdownDelay(loadConfig({ MERIDIAN_SHUTDOWN_DELAY_SECONDS: delaySeconds }), readiness);
  delay.onModuleInit();
  return { readiness, delay };
}

describe('ShutdownDelay', () => {
  it('turns /ready to failing on a signal and holds the close back for the delay', async () => {
    const { readiness, delay } = setup('1');
    expect(await readiness.failing()).toEqual([]);
    const t0 = Date.now();
    const closing = delay.drain('SIGTERM');
    expect(await readiness.failing()).toEqual(['shutdown']);
    let done = false;
    void closing.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    await closing;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
  });

  it('closes at once without a delay', async () => {
    const none = setup('0');
    await none.delay.drain('SIGTERM');
    expect(await none.readiness.failing()).toEqual([]);
  });
});
