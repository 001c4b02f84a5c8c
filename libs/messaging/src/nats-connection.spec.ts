import { describe, expect, it } from 'vitest';
import { nkeys } from 'nats';
import { loadConfig } from '@meridian/config';
import { natsConnectionOptions } from './nats-connection';

describe('natsConnectionOptions', () => {
  it('carries the user, its own inbox prefix and TLS with the CA', () => {
    const config = loadConfig({
      NATS_URL: 'tls://nats:4222',
      NATS_USER: 'events-reader',
      NATS_PASSWORD: 'pw',
      NATS_TLS_CA: __filename,
    });
    expect(natsConnectionOptions(config, 'meridian-edge')).toMatchObject({
      servers: ['tls://nats:4222'],
      name: 'meridian-edge',
      user: 'events-reader',
      pass: 'pw',
      inboxPrefix: '_INBOX_events_reader',
      tls: { caFile: __filename },
    });
  });

  it('signs with an nkey seed and reads replies under the public key', () => {
    const pair = nkeys.createUser();
    const seed = new TextDecoder().decode(pair.getSeed());
    const options = natsConnectionOptions(loadConfig({ NATS_NKEY_SEED: seed }), 'meridian-sql');
    expect(options.user).toBeUndefined();
    expect(options.inboxPrefix).toBe(`_INBOX_${pair.getPublicKey()}`);
    const auth = (options.authenticator as (nonce?: string) => { nkey: string; sig: string })('nonce');
    expect(auth.nkey).toBe(pair.getPublicKey());
    expect(auth.sig).not.toBe('');
  });

  it('adds nothing without credentials (the server decides) and no TLS for nats:// URLs', () => {
    const options = natsConnectionOptions(loadConfig({ NATS_URL: 'nats://nats:4222' }), 'x');
    expect(options).not.toHaveProperty('user');
    expect(options).not.toHaveProperty('tls');
  });
});
