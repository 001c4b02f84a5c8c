import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { CANCEL_GRACE_MS } from '../../apps/sql/src/engines/engine';
import { assertEdgeSecurity } from '../../apps/edge/src/edge.bootstrap';
import { knownVariables, loadConfig, type MeridianConfig } from '@meridian/config';
import { SERVICE_NAMES } from '@meridian/contracts';
import {
  composeEnv,
  durationSeconds,
  interpolate,
  loadComposeFile,
  MissingVariableError,
  type ComposeVars,
} from '../support/compose';
import { ROOT } from '../support/processes';

/**
 * Both Compose files checked as Compose itself would read them (YAML merge keys, then
 * interpolation, then the Compose Specification's JSON schema), and every Meridian process's
 * environment through the real configuration loader. No Docker engine runs here.
 *
 * test/support/compose-spec.json is schema/compose-spec.json of the Compose Specification
 * (github.com/compose-spec/compose-spec, commit 170098ba07d9f53c383a41bfd4c5166b0a4529a6,
 * 2026-06-23), unchanged.
 */

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  profiles?: string[];
  ports?: string[];
  volumes?: string[];
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  depends_on?: Record<string, { condition: string; restart?: boolean }>;
  stop_grace_period?: string;
  logging?: { driver?: string; options?: Record<string, string> };
  deploy?: { replicas?: number; resources?: { limits?: { cpus?: string; memory?: string } } };
  healthcheck?: { test: string[] };
}
interface ComposeFile {
  services: Record<string, Service>;
  networks?: Record<string, { ipam?: { config?: { subnet: string }[] } } | null>;
}

const DEV = join(ROOT, 'docker-compose.yml');
const PROD = join(ROOT, 'docker-compose.prod.yml');

const natsConf = readFileSync(join(ROOT, 'deploy/nats/nats-server.conf'), 'utf8');
/** Users of deploy/nats/nats-server.conf and the variable each one's password comes from. */
const natsUsers = new Map(
  [...natsConf.matchAll(/user:\s*([\w-]+)\s*\n\s*password:\s*\$(\w+)/g)].map((m) => [m[1], m[2]]),
);

/** What an operator sets for the production file: every variable it requires. */
const PROD_VARS: ComposeVars = {
  SECRET_KEY: 'prod-test-secret-key-0123456789abcdef',
  POSTGRES_PASSWORD: 'pg0123456789abcdef',
  REDIS_PASSWORD: 'redis0123456789abcdef',
  MCP_SERVICE_URL: 'https://meridian.example.com',
  MCP_JWT_ISSUER: 'https://login.example.com/',
  MCP_JWKS_URI: 'https://login.example.com/.well-known/jwks.json',
  PROXY_TLS_DIR: '/srv/meridian/tls',
  ...Object.fromEntries([...natsUsers.values()].map((v) => [v, `${v.toLowerCase()}-chosen`])),
};
const DEV_VARS: ComposeVars = { SECRET_KEY: 'compose-test-secret-key-0123456789' };

const prod = loadComposeFile<ComposeFile>(PROD, PROD_VARS);
const isMeridian = (s: Service) => s.image?.startsWith('meridian:') ?? false;

const known = new Set(knownVariables());
const accepted = (name: string) =>
  name === 'NODE_ENV' || known.has(name) || (name.endsWith('_FILE') && known.has(name.slice(0, -5)));

function configOf(where: string, service: Service): MeridianConfig {
  const env = composeEnv(service, {});
  for (const key of Object.keys(env)) expect(accepted(key), `${where}: ${key}`).toBe(true);
  try {
    return loadConfig(env);
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}

function networkAddress(service: Service, network: string): string | undefined {
  const nets = service.networks;
  return nets && !Array.isArray(nets) ? (nets[network]?.ipv4_address ?? undefined) : undefined;
}

function inSubnet(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toInt(address) / size) === Math.floor(toInt(base) / size);
}

/** Seconds a stopping sql worker may take: running queries up to SQLLAB_TIMEOUT, then cancel. */
const sqlDrainSeconds = (config: MeridianConfig) =>
  config.sql.maxTimeoutSeconds + (4 * CANCEL_GRACE_MS) / 1000;

describe('Compose interpolation (test support)', () => {
  it('follows Compose: $$ escapes, defaults, required values and nested expressions', () => {
    expect(interpolate('a $$HOME ${X} $X ${Y:-d} ${Z-e}', { X: 'x', Z: '' })).toBe('a $HOME x x d ');
    expect(interpolate('${Y:-${X}/mcp}', { X: 'https://h' })).toBe('https://h/mcp');
    expect(interpolate('${X:+set}${Y:+unset}', { X: '1' })).toBe('set');
    expect(() => interpolate('${Y:?give Y}', { Y: '' })).toThrow(MissingVariableError);
    expect(interpolate('${Y?give Y}', { Y: '' })).toBe('');
  });
});

describe.each([
  ['docker-compose.yml', DEV, DEV_VARS],
  ['docker-compose.prod.yml', PROD, PROD_VARS],
])('%s against the Compose Specification', (_name, path, vars) => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test/support/compose-spec.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  // The schema names draft-07 by an https address Ajv does not know as its meta-schema.
  delete schema.$schema;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const file = loadComposeFile<ComposeFile>(path, vars);

  it('is valid after interpolation', () => {
    expect(validate(file), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('would be refused with a misspelt key (the schema is strict about names)', () => {
    const broken = structuredClone(file) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.sql.stop_grace_periode = '45s';
    expect(validate(broken)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('stop_grace_periode');
  });

  it('gives sql a stop grace period longer than its drain (SQLLAB_TIMEOUT, then cancellation)', () => {
    const sql = file.services.sql;
    const config = configOf('sql', sql);
    expect(durationSeconds(sql.stop_grace_period ?? '10s')).toBeGreaterThan(sqlDrainSeconds(config) + 5);
  });
});

describe('docker-compose.prod.yml', () => {
  const meridian = Object.entries(prod.services).filter(([, s]) => isMeridian(s));
  const edges = Object.entries(prod.services).filter(([, s]) => s.command?.join(' ') === 'serve edge');

  it('requires every secret and the identity provider from the caller, with no defaults', () => {
    const required = [
      'SECRET_KEY',
      'POSTGRES_PASSWORD',
      'REDIS_PASSWORD',
      'MCP_SERVICE_URL',
      'MCP_JWT_ISSUER',
      'MCP_JWKS_URI',
      'PROXY_TLS_DIR',
      ...natsUsers.values(),
    ];
    expect(natsUsers.size).toBe(6);
    for (const name of required) {
      const { [name]: _left, ...others } = PROD_VARS;
      let missing: unknown;
      try {
        loadComposeFile(PROD, others);
      } catch (err) {
        missing = err;
      }
      expect(missing, name).toBeInstanceOf(MissingVariableError);
      expect((missing as MissingVariableError).variable).toBe(name);
    }
    expect(readFileSync(PROD, 'utf8')).not.toMatch(/\$\{\w*(PASSWORD|SECRET)\w*:?-/);
  });

  it('runs every service, each Meridian process with settings the configuration accepts', () => {
    for (const name of SERVICE_NAMES.filter((s) => s !== 'edge')) {
      expect(prod.services[name]?.command, name).toEqual(['serve', name]);
    }
    expect(edges.map(([n]) => n)).toEqual(['edge-1', 'edge-2']);
    for (const [name, svc] of meridian) {
      const config = configOf(name, svc);
      expect(config.databaseUrl, name).toBe(
        `postgresql://meridian:${PROD_VARS.POSTGRES_PASSWORD}@postgres:5432/meridian`,
      );
      expect(config.secretKey, name).toBe(PROD_VARS.SECRET_KEY);
      expect(config.devUsername, name).toBeUndefined();
    }
  });

  it('shares rate limits and the answer cache through the password-protected Redis', () => {
    const redis = composeEnv(prod.services.redis, {});
    expect(asText(prod.services.redis.command)).toContain('--requirepass "$REDIS_PASSWORD"');
    expect(redis.REDIS_PASSWORD).toBe(PROD_VARS.REDIS_PASSWORD);
    for (const [name, svc] of meridian.filter(([, s]) => s.command?.[0] === 'serve')) {
      const config = configOf(name, svc);
      expect(config.rateLimiting.enabled, name).toBe(true);
      expect(new URL(config.rateLimiting.storageUri).password, name).toBe(PROD_VARS.REDIS_PASSWORD);
      expect(new URL(config.rateLimiting.storageUri).host, name).toBe('redis:6379');
      expect(config.cache.enabled && config.cache.backend, name).toBe('redis');
      expect(new URL(config.cache.url!).password, name).toBe(PROD_VARS.REDIS_PASSWORD);
    }
  });

  it('connects each process to NATS run with the shipped accounts, as its own user', () => {
    const nats = prod.services.nats;
    const conf = nats.command![nats.command!.indexOf('-c') + 1];
    expect(nats.volumes).toContain(`./deploy/nats/nats-server.conf:${conf}:ro`);
    const natsEnv = composeEnv(nats, {});
    for (const [name, svc] of meridian.filter(([, s]) => s.command?.[0] === 'serve')) {
      const service = svc.command![1];
      const config = configOf(name, svc);
      expect(config.natsServers, name).toEqual(['nats://nats:4222']);
      expect(config.natsAuth.user, name).toBe(service);
      expect(config.natsAuth.password, name).toBe(natsEnv[natsUsers.get(service)!]);
    }
    for (const variable of natsUsers.values()) expect(natsEnv[variable], variable).toBe(PROD_VARS[variable]);
    expect(nats.ports, 'NATS is not published').toBeUndefined();
    expect(prod.services.postgres.ports, 'PostgreSQL is not published').toBeUndefined();
    expect(prod.services.redis.ports, 'Redis is not published').toBeUndefined();
  });

  it('runs two edges with token authentication from the JWKS, trusting only the proxy', () => {
    const proxyAddress = networkAddress(prod.services.proxy, 'front')!;
    const subnet = prod.networks!.front!.ipam!.config![0].subnet;
    expect(inSubnet(proxyAddress, subnet)).toBe(true);
    for (const [name, svc] of edges) {
      const config = configOf(name, svc);
      expect(config.auth.enabled, name).toBe(true);
      expect(config.auth.jwksUri, name).toBe(PROD_VARS.MCP_JWKS_URI);
      expect(config.auth.issuer, name).toBe(PROD_VARS.MCP_JWT_ISSUER);
      expect(config.auth.audience, name).toEqual([`${PROD_VARS.MCP_SERVICE_URL}/mcp`]);
      expect(config.serviceUrl, name).toBe(PROD_VARS.MCP_SERVICE_URL);
      expect(() => assertEdgeSecurity(config), name).not.toThrow();
      expect(config.proxyFix, name).toBe(true);
      expect(config.trustedProxies, name).toEqual([proxyAddress]);
      expect(svc.ports, `${name} is reached through the proxy only`).toBeUndefined();
      expect(inSubnet(networkAddress(svc, 'front')!, subnet), name).toBe(true);
      const test = svc.healthcheck!.test.join(' ');
      expect(test).toContain('process.env.MCP_SERVICE_PORT');
      expect(test).toContain('/ready');
    }
  });

  it('puts nginx with deploy/nginx/meridian.conf in front of both edges, on TLS', () => {
    const proxy = prod.services.proxy;
    expect(proxy.image).toMatch(/^nginx:/);
    const mounts = new Map(proxy.volumes!.map((v) => [v.split(':')[1], v.split(':')[0]]));
    expect(mounts.get('/etc/nginx/conf.d/default.conf')).toBe('./deploy/nginx/meridian.conf');
    expect(mounts.get('/etc/nginx/tls')).toBe(PROD_VARS.PROXY_TLS_DIR);
    const upstreamFile = mounts.get('/etc/nginx/conf.d/meridian-upstream.conf')!;
    const upstream = readFileSync(join(ROOT, upstreamFile), 'utf8');
    const servers = [...upstream.matchAll(/^\s*server\s+([\d.]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(servers).toEqual(
      edges.map(([name, svc]) => `${networkAddress(svc, 'front')}:${configOf(name, svc).port}`),
    );
    // The site file loads its certificate relative to /etc/nginx.
    const site = readFileSync(join(ROOT, 'deploy/nginx/meridian.conf'), 'utf8');
    expect(site).toMatch(/ssl_certificate tls\/meridian\.crt;/);
    expect(proxy.ports).toEqual(['443:443', '80:80']);
    for (const [name] of edges) {
      expect(proxy.depends_on?.[name]).toEqual({ condition: 'service_healthy', restart: true });
    }
    // nginx must wait longer for an answer than the edge waits for any tool call.
    const readTimeout = /proxy_read_timeout\s+(\d+)s;/.exec(site)!;
    for (const [name, svc] of edges) {
      expect(Number(readTimeout[1]) * 1000, name).toBeGreaterThan(configOf(name, svc).webserverTimeoutMs);
    }
  });

  it('migrates on every start but seeds only when the seed profile is asked for', () => {
    const always = Object.entries(prod.services).filter(([, s]) => !s.profiles);
    expect(always.filter(([, s]) => asText(s.command).includes('seed'))).toEqual([]);
    expect(prod.services.migrate.command).toEqual(['db', 'upgrade']);
    expect(prod.services.seed.command).toEqual(['db', 'seed']);
    expect(prod.services.seed.profiles).toEqual(['seed']);
    expect(prod.services.seed.depends_on?.migrate.condition).toBe('service_completed_successfully');
    for (const [name, svc] of meridian.filter(([, s]) => s.command?.[0] === 'serve')) {
      expect(svc.depends_on?.migrate?.condition, name).toBe('service_completed_successfully');
    }
  });

  it('rotates logs and limits the resources of every service', () => {
    for (const [name, svc] of Object.entries(prod.services)) {
      expect(svc.logging?.driver, name).toBe('json-file');
      expect(svc.logging?.options, name).toMatchObject({
        'max-size': expect.any(String),
        'max-file': expect.any(String),
      });
      expect(svc.deploy?.resources?.limits, name).toMatchObject({
        cpus: expect.any(String),
        memory: expect.any(String),
      });
    }
  });

  it('lets every edge finish its longest tool call when stopped', () => {
    for (const [name, svc] of edges) {
      const config = configOf(name, svc);
      expect(durationSeconds(svc.stop_grace_period!), name).toBeGreaterThan(config.webserverTimeoutMs / 1000);
    }
  });
});

function asText(command: string[] | string | undefined): string {
  return Array.isArray(command) ? command.join(' ') : (command ?? '');
}
