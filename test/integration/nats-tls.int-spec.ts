import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import { connectForEvents } from '@meridian/events';
import { NatsRequestClient, natsConnectionOptions } from '@meridian/messaging';
import { startOwnNatsServer, type OwnNatsServer } from '../support/nats-server';
import { NATS_PASSWORD_ENV, SHIPPED_NATS_CONF, natsEnvFor } from '../support/shipped-nats';

/** Runs openssl in `dir` with the arguments of `command` (split on spaces). */
const openssl = (dir: string, command: string) =>
  execFileSync('openssl', command.split(' '), { cwd: dir, stdio: 'pipe' });
const EC_KEY = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';

/** A throwaway certificate authority: `<name>.pem` and `<name>.key`. */
function authority(dir: string, name: string): void {
  openssl(dir, `req -x509 ${EC_KEY} -keyout ${name}.key -out ${name}.pem -days 1 -subj /CN=${name}`);
}

/** A certificate `ca` signs for `name`, valid for 127.0.0.1. */
function issue(dir: string, ca: string, name: string, usage: 'serverAuth' | 'clientAuth'): void {
  const ext = `subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=${usage}\n`;
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, `req ${EC_KEY} -keyout ${name}.key -out ${name}.csr -subj /CN=${name}`);
  openssl(
    dir,
    `x509 -req -in ${name}.csr -CA ${ca}.pem -CAkey ${ca}.key -CAcreateserial -out ${name}.pem ` +
      `-days 1 -extfile ${name}.ext`,
  );
}

async function refusal(op: () => Promise<unknown>): Promise<string> {
  try {
    await op();
  } catch (err) {
    return String((err as Error).message);
  }
  throw new Error('the connection was allowed');
}

/**
 * NATS over TLS: the shipped configuration plus a tls block that also asks clients for a
 * certificate. Meridian's connections verify the server against NATS_TLS_CA and present
 * NATS_TLS_CERT / NATS_TLS_KEY.
 */
describe('NATS over TLS (shipped users, server verified)', () => {
  let dir: string;
  let nats: OwnNatsServer;
  const configWith = (extra: Record<string, string>): MeridianConfig =>
    loadConfig({ NATS_URL: nats.url, ...natsEnvFor('edge'), ...extra });
  const file = (name: string) => join(dir, name);
  const trusted = () => ({
    NATS_TLS_CA: file('ca.pem'),
    NATS_TLS_CERT: file('client.pem'),
    NATS_TLS_KEY: file('client.key'),
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meridian-nats-tls-'));
    authority(dir, 'ca');
    authority(dir, 'other-ca');
    issue(dir, 'ca', 'server', 'serverAuth');
    issue(dir, 'ca', 'client', 'clientAuth');
    const conf = `${readFileSync(SHIPPED_NATS_CONF, 'utf8')}
tls {
  cert_file: "${file('server.pem')}"
  key_file: "${file('server.key')}"
  ca_file: "${file('ca.pem')}"
  verify: true
  timeout: 2
}
`;
    writeFileSync(file('nats-tls.conf'), conf);
    nats = await startOwnNatsServer({ configFile: file('nats-tls.conf'), env: NATS_PASSWORD_ENV });
  });

  afterAll(async () => {
    await nats?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('connects the request client and the event connection with the CA and a client certificate', async () => {
    const config = configWith(trusted());
    const client = new NatsRequestClient(natsConnectionOptions(config, 'tls-edge'), 5_000);
    const nc = await client.connect();
    expect(nc.info?.tls_required).toBe(true);
    await client.close();
    const events = await connectForEvents(config, 'tls-edge-events');
    await (await events.jetstreamManager()).getAccountInfo();
    await events.close();
  });

  it('refuses a server its CA did not sign', async () => {
    const config = configWith({ ...trusted(), NATS_TLS_CA: file('other-ca.pem') });
    expect(
      await refusal(() =>
        connect({
          ...natsConnectionOptions(config, 'tls-wrong-ca'),
          maxReconnectAttempts: 0,
          timeout: 3_000,
        }),
      ),
    ).toMatch(/certificate|self.signed|verify/i);
  });

  it('refuses a connection without a client certificate, or without TLS', async () => {
    const noCert = configWith({ NATS_TLS_CA: file('ca.pem') });
    expect(
      await refusal(() =>
        connect({ ...natsConnectionOptions(noCert, 'tls-no-cert'), maxReconnectAttempts: 0, timeout: 3_000 }),
      ),
    ).toMatch(/certificate|tls|timeout|closed|reset|socket/i);
    const plain = configWith({});
    expect(plain.natsAuth.tls).toBeUndefined();
    expect(
      await refusal(() =>
        connect({ ...natsConnectionOptions(plain, 'tls-none'), maxReconnectAttempts: 0, timeout: 3_000 }),
      ),
    ).toMatch(/certificate|self.signed|verify|tls/i);
  });
});
