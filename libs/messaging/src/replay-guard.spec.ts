import { describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import { envelopesReplayedTotal } from '@meridian/observability';
import { MemoryNonceStore, RedisNonceStore, ReplayGuard } from './replay-guard';

const replays = async (service: string) =>
  (await envelopesReplayedTotal().get()).values.find((v) => v.labels.service === service)?.value ?? 0;

describe('MemoryNonceStore', () => {
  it('records a nonce once until it expires, and forgets expired ones', async () => {
    const store = new MemoryNonceStore();
    const now = Date.now();
    expect(await store.claim('n1', now + 1000, now)).toBe(true);
    expect(await store.claim('n1', now + 1000, now + 999)).toBe(false);
    expect(await store.claim('n2', now + 1000, now)).toBe(true);
    // After the envelope's expiry its signature is refused anyway; the record may go.
    expect(await store.claim('n1', now + 20_000, now + 10_000)).toBe(true);
    expect(store.size).toBe(1);
  });
});

describe('ReplayGuard', () => {
  it('accepts a nonce once and refuses it again with a typed error, counted', async () => {
    const guard = new ReplayGuard('unit-replay');
    const envelope = { subject: 's', nonce: 'nonce-0123456789abcdef', exp: Date.now() + 30_000 };
    const before = await replays('unit-replay');
    await expect(guard.claim(envelope)).resolves.toBeUndefined();
    await expect(guard.claim(envelope)).rejects.toMatchObject({
      type: 'AuthenticationError',
      message: 'Invalid request envelope',
      details: { reason: 'replayed' },
    });
    expect(await replays('unit-replay')).toBe(before + 1);
  });

  it('keeps nonces in this process unless MCP_RATE_LIMITING names a Redis store', async () => {
    const memory = ReplayGuard.forService(loadConfig({}), 'catalog');
    expect((memory as unknown as { store: unknown }).store).toBeInstanceOf(MemoryNonceStore);
    const shared = ReplayGuard.forService(
      loadConfig({ MCP_RATE_LIMITING: JSON.stringify({ storage_uri: 'redis://127.0.0.1:1/0' }) }),
      'catalog',
    );
    expect((shared as unknown as { store: unknown }).store).toBeInstanceOf(RedisNonceStore);
    await shared.close();
  });

  it('still refuses a replay on the same replica while Redis cannot be reached', async () => {
    const store = new RedisNonceStore('redis://127.0.0.1:1/0', 'unit-down', 'test:nonce:');
    const exp = Date.now() + 30_000;
    expect(await store.claim('n-down', exp)).toBe(true);
    expect(await store.claim('n-down', exp)).toBe(false);
    await store.close();
  });
});
