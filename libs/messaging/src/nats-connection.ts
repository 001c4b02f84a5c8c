import { ErrorCode, nkeyAuthenticator, nkeys, type ConnectionOptions } from 'nats';
import type { MeridianConfig } from '@meridian/config';

/** The inbox prefix of a NATS identity (`_INBOX_<name>`), which deploy/nats/nats-server.conf lets it read. */
export function inboxPrefixOf(name: string): string {
  return `_INBOX_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * Who this process is on NATS and how it checks the server: NATS_USER/NATS_PASSWORD or an nkey
 * seed, TLS with NATS_TLS_CA (and a client certificate) when set or when a URL is tls://. Replies
 * come on the identity's own inbox prefix (the user name, or the nkey's public key), the only
 * inboxes the server lets it read. Without credentials the server decides (the shipped
 * configuration refuses anonymous connections).
 */
export function natsIdentityOptions(config: MeridianConfig): ConnectionOptions {
  const { user, password, nkeySeed, tls } = config.natsAuth;
  const options: ConnectionOptions = {};
  if (user) {
    options.user = user;
    options.pass = password;
    options.inboxPrefix = inboxPrefixOf(user);
  } else if (nkeySeed) {
    const seed = () => new TextEncoder().encode(nkeySeed);
    options.authenticator = nkeyAuthenticator(seed);
    options.inboxPrefix = inboxPrefixOf(nkeys.fromSeed(seed()).getPublicKey());
  }
  if (tls) {
    options.tls = {
      ...(tls.caFile ? { caFile: tls.caFile } : {}),
      ...(tls.certFile ? { certFile: tls.certFile, keyFile: tls.keyFile } : {}),
    };
  }
  return options;
}

/** Options of one of this process's NATS connections, reconnecting for ever. */
export function natsConnectionOptions(config: MeridianConfig, name: string): ConnectionOptions {
  return {
    ...natsIdentityOptions(config),
    servers: config.natsServers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
}

/**
 * A start-up failure to connect, said in this process's terms: NATS refusing the credentials names
 * the identity and the settings that give it; anything else is passed on.
 */
export function explainNatsFailure(err: unknown, config: MeridianConfig): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== ErrorCode.AuthorizationViolation && code !== ErrorCode.AuthenticationExpired) return err;
  const { user, nkeySeed } = config.natsAuth;
  const who = user ? `NATS_USER=${user}` : nkeySeed ? 'the nkey of NATS_NKEY_SEED' : 'no credentials';
  return new Error(
    `NATS refused this process's credentials (${who}): set NATS_USER and NATS_PASSWORD (or ` +
      'NATS_NKEY_SEED_FILE) to the user of this service in the NATS configuration ' +
      '(deploy/nats/nats-server.conf)',
  );
}
