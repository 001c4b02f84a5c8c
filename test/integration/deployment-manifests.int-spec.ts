import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, resolve } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { assertEdgeSecurity } from '../../apps/edge/src/edge.bootstrap';
import { isLoopbackHost, knownVariables, loadConfig, type MeridianConfig } from '@meridian/config';
import { SERVICE_NAMES, type BackendService, type ServiceName } from '@meridian/contracts';
import { DEFAULT_METRICS_PORTS } from '@meridian/messaging';

/**
 * The container image, docker-compose.yml and the Kubernetes manifests cannot be run here, so
 * this suite holds them to what the code expects: the commands the CLI knows, the settings the
 * configuration accepts, the ports the services listen on, and the hardening every pod needs.
 */

const ROOT = resolve(__dirname, '../..');
const K8S = join(ROOT, 'k8s');
const IMAGE = 'meridian';
const MAIN = 'dist/apps/meridian/src/main.js';
const BACKEND = SERVICE_NAMES.filter((s): s is BackendService => s !== 'edge');

// ---- minimal shapes of what the files hold ---------------------------------------------------

type Port = number | string;
interface Probe {
  httpGet?: { path: string; port: Port };
  tcpSocket?: { port: Port };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  configMap?: { name: string };
  emptyDir?: unknown;
}
interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  securityContext?: SecurityContext;
  enableServiceLinks?: boolean;
  automountServiceAccountToken?: boolean;
}
interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }> | string[];
  network_mode?: string;
  ports?: string[];
  deploy?: { replicas?: number };
  read_only?: boolean;
  cap_drop?: string[];
}

// ---- loading --------------------------------------------------------------------------------

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(e.name) ? [path] : [];
  });
}

function loadDocuments(path: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${relative(ROOT, path)}: ${doc.errors.join('; ')}`);
  }
  return docs.map((d) => d.toJS() as Manifest).filter((m) => m !== null);
}

// k8s/monitoring is an optional kustomization of its own (Prometheus Operator objects), checked by
// monitoring-rules.int-spec.ts.
const k8sFiles = yamlFiles(K8S).filter((f) => !relative(K8S, f).startsWith('monitoring'));
const byFile = new Map(k8sFiles.map((f) => [relative(K8S, f).split('\\').join('/'), loadDocuments(f)]));
const kustomization = byFile.get('kustomization.yaml')![0] as unknown as {
  namespace: string;
  resources: string[];
  configMapGenerator?: { name: string; files: string[] }[];
  images?: { name: string; newName?: string; newTag?: string }[];
};
/** What `kubectl apply -k k8s` creates (example files are not in it). */
const applied = kustomization.resources.flatMap((r) => byFile.get(r) ?? []);
const allManifests = [...byFile.entries()].filter(([f]) => f !== 'kustomization.yaml').flatMap(([, m]) => m);

const find = (kind: string, name: string, from = applied): Manifest | undefined =>
  from.find((m) => m.kind === kind && m.metadata.name === name);
const podTemplate = (m: Manifest): PodTemplate => (m.spec as { template: PodTemplate }).template;
const workloads = allManifests.filter((m) => m.kind === 'Deployment' || m.kind === 'Job');
const isMeridian = (c: Container) => c.image.split(':')[0] === IMAGE;

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};
const meridianServices = Object.entries(compose.services).filter(([, s]) => s.image?.startsWith(`${IMAGE}:`));

/** Users of deploy/nats/nats-server.conf and the environment variable each one's password comes from. */
const natsConf = readFileSync(join(ROOT, 'deploy/nats/nats-server.conf'), 'utf8');
const natsUsers = new Map(
  [...natsConf.matchAll(/user:\s*([\w-]+)\s*\n\s*password:\s*\$(\w+)/g)].map((m) => [m[1], m[2]]),
);

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** Dockerfile instructions, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op.toUpperCase(), arg: rest.join(' ') };
  });
const finalStage = instructions.slice(instructions.map((i) => i.op).lastIndexOf('FROM'));

// ---- helpers --------------------------------------------------------------------------------

const known = new Set(knownVariables());
/** A name the configuration accepts: a known setting, its `<NAME>_FILE` form, or NODE_ENV. */
function accepted(name: string): boolean {
  if (name === 'NODE_ENV' || known.has(name)) return true;
  return name.endsWith('_FILE') && known.has(name.slice(0, -'_FILE'.length));
}

function resolvePort(container: Container, port: Port): number {
  if (typeof port === 'number') return port;
  const own = container.ports?.find((p) => p.name === port);
  expect(
    own,
    `${container.name}: probe names port "${port}" that the container does not declare`,
  ).toBeDefined();
  return own!.containerPort;
}

function podPortNamed(pod: PodSpec, name: string): number | undefined {
  return pod.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === name)?.containerPort;
}

const tmp = mkdtempSync(join(tmpdir(), 'meridian-manifests-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const secretExample = find('Secret', 'meridian-secrets', byFile.get('secret.example.yaml'))!;

/**
 * The environment a container of this pod starts with (ConfigMaps by envFrom, then env), with
 * every `<NAME>_FILE` pointed at a copy of the example Secret's value after checking that the
 * pod really mounts that key at that path.
 */
function containerEnv(pod: PodSpec, container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    expect(from.secretRef, `${container.name}: secrets come in as files, not envFrom`).toBeUndefined();
    const cm = find('ConfigMap', from.configMapRef!.name);
    expect(cm, `${container.name}: ConfigMap ${from.configMapRef!.name} is not applied`).toBeDefined();
    Object.assign(env, cm!.data);
  }
  for (const v of container.env ?? []) {
    expect(v.value, `${container.name}: ${v.name} has a literal value`).toBeTypeOf('string');
    env[v.name] = v.value!;
  }
  for (const [name, path] of Object.entries(env)) {
    if (!name.endsWith('_FILE')) continue;
    const mount = container.volumeMounts?.find((m) => path.startsWith(`${m.mountPath}/`));
    expect(mount, `${container.name}: ${name}=${path} is not under a mounted volume`).toBeDefined();
    const volume = pod.volumes?.find((v) => v.name === mount!.name);
    expect(volume?.secret?.secretName, `${container.name}: ${path} is not from meridian-secrets`).toBe(
      'meridian-secrets',
    );
    const file = posix.relative(mount!.mountPath, path);
    const item = volume!.secret!.items?.find((i) => i.path === file);
    const key = item ? item.key : file;
    expect(volume!.secret!.items === undefined || item !== undefined, `${path} is not projected`).toBe(true);
    expect(secretExample.stringData?.[key], `the Secret has no key ${key}`).toBeTypeOf('string');
    const copy = join(tmp, `${container.name}-${key}`);
    writeFileSync(copy, secretExample.stringData![key]);
    env[name] = copy;
  }
  return env;
}

function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(
    /\$\{([A-Za-z0-9_]+)(?:(:?[-?])([^}]*))?\}/g,
    (_m, name: string, op?: string, arg = '') => {
      const v = vars[name];
      if (op === ':-') return v ? v : arg;
      if (op === '-') return v ?? arg;
      if (op === ':?' || op === '?') {
        if (!v) throw new Error(`${name}: ${arg}`);
        return v;
      }
      return v ?? '';
    },
  );
}

function composeEnv(
  service: ComposeService,
  vars: Record<string, string | undefined>,
): Record<string, string> {
  const raw = service.environment ?? {};
  const pairs = Array.isArray(raw)
    ? raw.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const)
    : Object.entries(raw).map(([k, v]) => [k, String(v ?? '')] as const);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v, vars)]));
}

const asArray = (v: string[] | string | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
const COMPOSE_VARS = { SECRET_KEY: 'compose-test-secret-key-0123456789' };

function expectValidConfig(where: string, env: Record<string, string>): MeridianConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}

// ---- the suite ------------------------------------------------------------------------------

describe('Dockerfile', () => {
  it('runs the CLI file that `npm run build` produces', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const build = pkg.scripts.build.split(/\s+/);
    expect(build[0]).toBe('swc');
    const out = build[build.indexOf('-d') + 1];
    const sources = build.slice(1, build.indexOf('-d'));
    // swc keeps each source's path under the output folder unless told to strip it.
    expect(build).not.toContain('--strip-leading-paths');
    const [outDir, srcDir, ...rest] = MAIN.split('/');
    expect(outDir).toBe(out);
    expect(sources).toContain(srcDir);
    expect(existsSync(join(ROOT, srcDir, ...rest).replace(/\.js$/, '.ts'))).toBe(true);

    const entrypoint = JSON.parse(finalStage.find((i) => i.op === 'ENTRYPOINT')!.arg) as string[];
    expect(entrypoint).toEqual(['node', MAIN]);
    const workdir = finalStage.find((i) => i.op === 'WORKDIR')!.arg;
    expect(finalStage).toContainEqual({ op: 'COPY', arg: `--from=build ${workdir}/${out} ./${out}` });
  });

  it('builds with swc and the path aliases, and ships production dependencies only', () => {
    const build = instructions.slice(0, instructions.map((i) => i.op).lastIndexOf('FROM'));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const words = pkg.scripts.build.split(/\s+/);
    // Every folder the build script compiles must be in the build stage, or `npm run build` fails.
    const sources = words.slice(1, words.indexOf('-d')).filter((w) => !w.startsWith('-'));
    expect(build.map((i) => `${i.op} ${i.arg}`)).toEqual(
      expect.arrayContaining([
        'COPY .swcrc ./',
        ...sources.map((dir) => `COPY ${dir} ./${dir}`),
        'RUN npm run build',
      ]),
    );
    expect(build.some((i) => i.op === 'RUN' && /npm ci\b/.test(i.arg))).toBe(true);
    expect(finalStage[0].arg).toMatch(/NODE_IMAGE|node:20-bookworm-slim/);
    expect(dockerfile).toMatch(/ARG NODE_IMAGE=node:20-bookworm-slim/);
    expect(finalStage.some((i) => i.op === 'RUN' && /npm ci .*--omit=dev/.test(i.arg))).toBe(true);
    expect(finalStage).toContainEqual({ op: 'ENV', arg: 'NODE_ENV=production' });
  });

  it('runs as a numeric non-root user, so runAsNonRoot can verify it', () => {
    const user = finalStage.filter((i) => i.op === 'USER').at(-1)!.arg;
    const uid = Number(user.split(':')[0]);
    expect(Number.isInteger(uid) && uid > 0).toBe(true);
    for (const w of workloads) {
      for (const c of podTemplate(w).spec.containers.filter(isMeridian)) {
        const runAs = c.securityContext?.runAsUser ?? podTemplate(w).spec.securityContext?.runAsUser;
        expect(runAs === undefined || runAs === uid, `${w.metadata.name}/${c.name} runs as ${runAs}`).toBe(
          true,
        );
      }
    }
  });

  it('sends every COPY source into the build context (Docker’s own .dockerignore rules)', () => {
    const rules = dockerignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n'));
    const sources = instructions
      .filter((i) => i.op === 'COPY' && !i.arg.startsWith('--from='))
      .flatMap((i) =>
        i.arg
          .split(/\s+/)
          .filter((w) => !w.startsWith('--'))
          .slice(0, -1),
      );
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
      expect(rules.ignores(source), `${source} is excluded by .dockerignore`).toBe(false);
      // A folder's files must get through too (a rule like "apps/**" would drop them).
      if (statSync(join(ROOT, source)).isDirectory()) {
        const files = readdirSync(join(ROOT, source), { recursive: true, withFileTypes: true })
          .filter((d) => d.isFile() && !d.name.endsWith('.spec.ts'))
          .map((d) => relative(ROOT, join(d.parentPath, d.name)));
        expect(
          files.filter((f) => rules.ignores(f)),
          `files of ${source} excluded`,
        ).toEqual([]);
      }
    }
    // And nothing that must never be baked into a layer gets in.
    for (const kept of [
      '.data/secret_key',
      '.env',
      'node_modules/x/index.js',
      '.git/config',
      'apps/x/y.spec.ts',
    ])
      expect(rules.ignores(kept), `${kept} reaches the build context`).toBe(true);
  });

  it('puts the meridian command on the PATH of the runtime image', () => {
    const wrapper = finalStage.find((i) => i.op === 'RUN' && i.arg.includes('/usr/local/bin/meridian'));
    expect(wrapper?.arg).toContain(`exec node /app/${MAIN} "$@"`);
    expect(wrapper?.arg).toContain('chmod 0755 /usr/local/bin/meridian');
  });

  it('.dockerignore keeps local state out and lets the build inputs in', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.git', 'coverage']));
    for (const needed of ['package.json', 'package-lock.json', '.swcrc', 'apps', 'libs']) {
      expect(ignored).not.toContain(needed);
    }
  });
});

describe('docker-compose.yml', () => {
  it('runs every service from the Meridian image with `serve <name>`', () => {
    const images = new Set(meridianServices.map(([, s]) => s.image));
    expect(images.size).toBe(1);
    for (const name of SERVICE_NAMES) {
      const svc = compose.services[name];
      expect(svc, `service ${name}`).toBeDefined();
      expect(svc.image).toMatch(new RegExp(`^${IMAGE}:`));
      expect(svc.build).toBeDefined();
      expect(asArray(svc.command)).toEqual(['serve', name]);
    }
  });

  it('migrates and seeds once, before the services start', () => {
    const migrate = compose.services.migrate;
    const script = [...asArray(migrate.entrypoint), ...asArray(migrate.command)].join(' ');
    expect(script).toContain(`node ${MAIN} db upgrade`);
    expect(script.indexOf('db upgrade')).toBeLessThan(script.indexOf('db seed'));
    expect(migrate.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' } });
    for (const name of SERVICE_NAMES) {
      expect(compose.services[name].depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        nats: { condition: 'service_healthy' },
      });
    }
  });

  it('uses only settings the configuration accepts, with valid values', () => {
    for (const [name, svc] of meridianServices) {
      const env = composeEnv(svc, COMPOSE_VARS);
      for (const key of Object.keys(env)) expect(accepted(key), `${name}: ${key}`).toBe(true);
      const config = expectValidConfig(name, env);
      expect(config.databaseUrl, name).toBeDefined();
      expect(config.secretKey, name).toBeDefined();
    }
  });

  it('connects each process to NATS as its service’s own user, with the password NATS has for it', () => {
    const vars = {
      ...COMPOSE_VARS,
      ...Object.fromEntries([...natsUsers.values()].map((v) => [v, `${v.toLowerCase()}-chosen`])),
    };
    const natsEnv = composeEnv(compose.services.nats, vars);
    expect(natsConf).not.toMatch(/no_auth_user/);
    for (const name of SERVICE_NAMES) {
      const config = expectValidConfig(name, composeEnv(compose.services[name], vars));
      expect(config.natsAuth.user, name).toBe(name);
      const variable = natsUsers.get(name);
      expect(variable, `${name} is a user of nats-server.conf`).toBeDefined();
      expect(config.natsAuth.password, name).toBe(natsEnv[variable!]);
      expect(config.events.natsUser, `${name} publishes events as itself`).toBeUndefined();
    }
  });

  it('requires SECRET_KEY from the caller instead of shipping one', () => {
    expect(() => composeEnv(compose.services.catalog, {})).toThrow(/SECRET_KEY/);
  });

  it('health-checks each backend service on /ready at its metrics port, reachable in the container', () => {
    for (const name of BACKEND) {
      const svc = compose.services[name];
      const config = expectValidConfig(name, composeEnv(svc, COMPOSE_VARS));
      expect(config.metricsPort || DEFAULT_METRICS_PORTS[name], name).toBe(DEFAULT_METRICS_PORTS[name]);
      expect(config.metricsHost, name).toBe('0.0.0.0');
      expect(config.natsUrl, name).toBe('nats://nats:4222');
      const test = asArray(svc.healthcheck?.test).join(' ');
      expect(test, name).toContain('/ready');
      expect(
        test.includes(`:${DEFAULT_METRICS_PORTS[name]}/`) || test.includes('process.env.METRICS_PORT'),
        `${name}: ${test}`,
      ).toBe(true);
      expect(svc.ports, `${name} publishes no ports`).toBeUndefined();
      expect(svc.read_only).toBe(true);
      expect(svc.cap_drop).toContain('ALL');
    }
  });

  it('runs the edge on the host loopback, reaching NATS and PostgreSQL through loopback-only ports', () => {
    const edge = compose.services.edge;
    expect(edge.network_mode).toBe('host');
    const config = expectValidConfig('edge', composeEnv(edge, COMPOSE_VARS));
    expect(isLoopbackHost(config.host)).toBe(true);
    expect(config.devUsername).toBeTruthy();
    const test = asArray(edge.healthcheck?.test).join(' ');
    expect(test).toContain('/ready');
    expect(test.includes(`:${config.port}/`) || test.includes('process.env.MCP_SERVICE_PORT')).toBe(true);

    const published = (svc: string, containerPort: number) => {
      const mapping = (compose.services[svc].ports ?? []).find((p) => p.endsWith(`:${containerPort}`));
      expect(mapping, `${svc} publishes ${containerPort}`).toBeDefined();
      const [host, hostPort] = mapping!.split(':');
      expect(host, `${svc} publishes on loopback only`).toBe('127.0.0.1');
      return Number(hostPort);
    };
    const natsPort = published('nats', 4222);
    const pgPort = published('postgres', 5432);
    expect([natsPort, pgPort]).not.toContain(4222);
    expect([natsPort, pgPort]).not.toContain(5432);
    expect(new URL(config.natsServers[0]).host).toBe(`127.0.0.1:${natsPort}`);
    expect(new URL(config.databaseUrl!).host).toBe(`127.0.0.1:${pgPort}`);
  });

  it('scales catalog and sql to two replicas each', () => {
    expect(compose.services.catalog.deploy?.replicas).toBe(2);
    expect(compose.services.sql.deploy?.replicas).toBe(2);
  });
});

describe('Kubernetes manifests', () => {
  it('parse, and every namespaced object lives in the meridian namespace', () => {
    expect(k8sFiles.length).toBeGreaterThan(5);
    expect(kustomization.namespace).toBe('meridian');
    for (const m of allManifests) {
      expect(m.apiVersion && m.kind && m.metadata?.name, JSON.stringify(m).slice(0, 80)).toBeTruthy();
      if (m.kind !== 'Namespace')
        expect(m.metadata.namespace, `${m.kind}/${m.metadata.name}`).toBe('meridian');
    }
    expect(find('Namespace', 'meridian')).toBeDefined();
  });

  it('kustomization lists files that exist, every manifest but the examples', () => {
    for (const r of kustomization.resources) expect(existsSync(join(K8S, r)), r).toBe(true);
    for (const gen of kustomization.configMapGenerator ?? []) {
      for (const f of gen.files) expect(existsSync(join(K8S, f.split('=').at(-1)!)), f).toBe(true);
    }
    const yamls = [...byFile.keys()].filter((f) => f !== 'kustomization.yaml');
    expect(yamls.filter((f) => !f.includes('.example.')).sort()).toEqual([...kustomization.resources].sort());
    expect(kustomization.resources.filter((r) => r.includes('.example.'))).toEqual([]);
    expect(kustomization.images?.map((i) => i.name)).toContain(IMAGE);
  });

  it('keeps secrets out of the ConfigMap; the Secret template holds SECRET_KEY, the database URL and the NATS passwords', () => {
    const config = find('ConfigMap', 'meridian-config')!;
    expect(Object.keys(config.data!)).not.toContain('SECRET_KEY');
    expect(Object.keys(config.data!)).not.toContain('SQLALCHEMY_DATABASE_URI');
    expect(Object.keys(config.data!).filter((k) => k.startsWith('NATS_') && k !== 'NATS_URL')).toEqual([
      'NATS_REQUEST_TIMEOUT_MS',
    ]);
    const natsPasswords = SERVICE_NAMES.map((n) => natsUsers.get(n)!);
    expect(Object.keys(secretExample.stringData!).sort()).toEqual(
      ['SECRET_KEY', 'SQLALCHEMY_DATABASE_URI', ...natsPasswords].sort(),
    );
    expect(secretExample.stringData!.SECRET_KEY.length).toBeGreaterThanOrEqual(16);
    expect(applied.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  it('runs every service from the Meridian image with `serve <name>`, behind a Service', () => {
    for (const name of SERVICE_NAMES) {
      const deployment = find('Deployment', `meridian-${name}`);
      expect(deployment, `Deployment meridian-${name}`).toBeDefined();
      const pod = podTemplate(deployment!);
      const main = pod.spec.containers.filter(isMeridian);
      expect(main.map((c) => c.name)).toEqual([name]);
      expect([...(main[0].command ?? []), ...(main[0].args ?? [])]).toEqual(['serve', name]);

      const service = find('Service', `meridian-${name}`);
      expect(service, `Service meridian-${name}`).toBeDefined();
      const selector = (service!.spec as { selector: Record<string, string> }).selector;
      expect(pod.metadata.labels).toMatchObject(selector);
      const matching = SERVICE_NAMES.filter((n) =>
        Object.entries(selector).every(
          ([k, v]) => podTemplate(find('Deployment', `meridian-${n}`)!).metadata.labels?.[k] === v,
        ),
      );
      expect(matching, `Service meridian-${name} selects only its pods`).toEqual([name]);
      for (const p of (service!.spec as { ports: { targetPort: Port }[] }).ports) {
        const target = typeof p.targetPort === 'number' ? p.targetPort : podPortNamed(pod.spec, p.targetPort);
        expect(target, `Service meridian-${name} targets a declared port`).toBeDefined();
      }
    }
  });

  it('migrates with `db upgrade` in a Job', () => {
    const job = applied.find((m) => m.kind === 'Job')!;
    const c = podTemplate(job).spec.containers[0];
    expect(isMeridian(c)).toBe(true);
    expect([...(c.command ?? []), ...(c.args ?? [])]).toEqual(['db', 'upgrade']);
  });

  it('uses only settings the configuration accepts, with valid values, and no service links', () => {
    for (const cm of allManifests.filter((m) => m.kind === 'ConfigMap')) {
      for (const key of Object.keys(cm.data ?? {}))
        expect(accepted(key), `${cm.metadata.name}: ${key}`).toBe(true);
    }
    for (const w of workloads) {
      const pod = podTemplate(w).spec;
      // A Service named meridian-x would otherwise inject MERIDIAN_X_SERVICE_HOST and friends.
      expect(pod.enableServiceLinks, `${w.metadata.name}: enableServiceLinks`).toBe(false);
      for (const c of pod.containers.filter(isMeridian)) {
        const env = containerEnv(pod, c);
        for (const key of Object.keys(env))
          expect(accepted(key), `${w.metadata.name}/${c.name}: ${key}`).toBe(true);
        const config = expectValidConfig(`${w.metadata.name}/${c.name}`, env);
        expect(config.databaseUrl, `${w.metadata.name}: database URL`).toBeDefined();
        expect(config.natsServers.length > 0 || w.kind === 'Job', `${w.metadata.name}: NATS_URL`).toBe(true);
      }
    }
  });

  it('connects each service to NATS as its own user, with that user’s password from the Secret', () => {
    for (const name of SERVICE_NAMES) {
      const pod = podTemplate(find('Deployment', `meridian-${name}`)!);
      const c = pod.spec.containers.find(isMeridian)!;
      const config = expectValidConfig(name, containerEnv(pod.spec, c));
      expect(config.natsAuth.user, name).toBe(name);
      const variable = natsUsers.get(name);
      expect(variable, `${name} is a user of nats-server.conf`).toBeDefined();
      expect(config.natsAuth.password, name).toBe(secretExample.stringData![variable!]);
      // Only its own password is projected into the pod.
      const items = pod.spec.volumes?.flatMap((v) => v.secret?.items ?? []).map((i) => i.key) ?? [];
      expect(
        items.filter((k) => k.startsWith('NATS_')),
        name,
      ).toEqual([variable]);
    }
  });

  it('probes each backend service on /ready and /health at the port it listens on', () => {
    for (const name of BACKEND) {
      const deployment = find('Deployment', `meridian-${name}`)!;
      const pod = podTemplate(deployment);
      const c = pod.spec.containers.find(isMeridian)!;
      const config = expectValidConfig(name, containerEnv(pod.spec, c));
      const port = config.metricsPort || DEFAULT_METRICS_PORTS[name];
      expect(port, name).toBe(DEFAULT_METRICS_PORTS[name]);
      expect(config.metricsHost, `${name}: METRICS_HOST must let the kubelet in`).toBe('0.0.0.0');
      expect(config.secretKey, `${name}: SECRET_KEY`).toBeDefined();

      expect(c.readinessProbe?.httpGet?.path).toBe('/ready');
      expect(c.livenessProbe?.httpGet?.path).toBe('/health');
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
        if (probe) expect(resolvePort(c, probe.httpGet!.port), name).toBe(port);
      }
      expect(podPortNamed(pod.spec, 'metrics')).toBe(port);
      expect(pod.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(port),
        'prometheus.io/path': '/metrics',
      });
    }
  });

  describe('edge', () => {
    const deployment = find('Deployment', 'meridian-edge')!;
    const pod = podTemplate(deployment);
    const edge = pod.spec.containers.find(isMeridian)!;
    const proxy = pod.spec.containers.find((c) => c !== edge)!;
    const generator = kustomization.configMapGenerator!.find((g) =>
      pod.spec.volumes?.some((v) => v.configMap?.name === g.name),
    )!;
    const nginxConf = readFileSync(join(K8S, generator.files[0].split('=').at(-1)!), 'utf8');
    const servers = nginxConf.split(/\n\s*server\s*\{/).slice(1);
    const serverListening = (re: RegExp) => servers.find((s) => re.test(s));

    it('binds the edge to loopback with token authentication, for the public name', () => {
      const config = expectValidConfig('edge', containerEnv(pod.spec, edge));
      expect(isLoopbackHost(config.host)).toBe(true);
      expect(config.devUsername).toBeUndefined();
      expect(config.auth.enabled).toBe(true);
      expect(config.auth.issuer).toMatch(/^https:\/\//);
      expect(config.auth.audience).toEqual([`${config.serviceUrl}/mcp`]);
      expect(config.auth.jwksUri).toMatch(/^https:\/\//);
      // The edge's own start-up checks accept it (identity, bind, SECRET_KEY).
      expect(() =>
        assertEdgeSecurity({ ...config, secretKey: config.secretKey ?? 'x'.repeat(32) }),
      ).not.toThrow();
      expect(containerEnv(pod.spec, edge).SECRET_KEY_FILE).toBeDefined();
      expect(config.serviceUrl).toBe('https://meridian.example.com');
      expect(config.allowedHosts).toContain('meridian.example.com');
      expect(config.proxyFix).toBe(true);
      expect(edge.ports ?? []).toEqual([]);
      const upstream = /upstream\s+(\S+)\s*\{[^}]*server\s+([\d.]+):(\d+)/.exec(nginxConf)!;
      expect(upstream[2]).toBe('127.0.0.1');
      expect(Number(upstream[3])).toBe(config.port);
    });

    it('terminates TLS on 8443 with meridian-edge-tls and streams SSE through', () => {
      expect(proxy.image).toBe('nginx:1.27-alpine');
      const args = [...(proxy.command ?? []), ...(proxy.args ?? [])];
      const confMount = proxy.volumeMounts!.find(
        (m) => pod.spec.volumes!.find((v) => v.name === m.name)?.configMap?.name === generator.name,
      )!;
      expect(args).toContain(`${confMount.mountPath}/${generator.files[0].split('=')[0]}`);

      const https = serverListening(/listen\s+8443\s+ssl;/)!;
      expect(https).toBeDefined();
      const tlsVolume = pod.spec.volumes!.find((v) => v.secret?.secretName === 'meridian-edge-tls')!;
      const tlsMount = proxy.volumeMounts!.find((m) => m.name === tlsVolume.name)!;
      expect(https).toContain(`ssl_certificate ${tlsMount.mountPath}/tls.crt;`);
      expect(https).toContain(`ssl_certificate_key ${tlsMount.mountPath}/tls.key;`);
      for (const directive of [
        'proxy_buffering off;',
        'proxy_set_header Host $host;',
        // Set to the client's address, never appended to what the client sent.
        'proxy_set_header X-Forwarded-For $remote_addr;',
        'proxy_set_header X-Forwarded-Proto $scheme;',
        'proxy_set_header X-Forwarded-Host $host;',
      ]) {
        expect(https).toContain(directive);
      }
      const readTimeout = /proxy_read_timeout\s+(\d+)([smh]?);/.exec(https)!;
      const seconds =
        Number(readTimeout[1]) * ({ h: 3600, m: 60, s: 1, '': 1 } as Record<string, number>)[readTimeout[2]];
      expect(seconds).toBeGreaterThanOrEqual(600);
      expect(https).not.toContain('$proxy_add_x_forwarded_for');

      expect(podPortNamed(pod.spec, 'https')).toBe(8443);
      const service = find('Service', 'meridian-edge')!;
      expect((service.spec as { ports: { port: number; targetPort: Port }[] }).ports).toEqual([
        expect.objectContaining({ port: 443, targetPort: 'https' }),
      ]);
      expect(find('Secret', 'meridian-edge-tls', allManifests)).toBeUndefined();
    });

    it('probes the edge through the proxy listener that forwards /ready and /health to it', () => {
      expect(edge.readinessProbe?.httpGet?.path).toBe('/ready');
      expect(edge.livenessProbe?.httpGet?.path).toBe('/health');
      const port = edge.readinessProbe!.httpGet!.port;
      expect(edge.livenessProbe!.httpGet!.port).toBe(port);
      expect(proxy.ports?.some((p) => p.containerPort === port)).toBe(true);
      const internal = serverListening(new RegExp(`listen\\s+${port};`))!;
      expect(internal).toBeDefined();
      for (const path of ['/ready', '/health', '/metrics']) {
        expect(internal).toMatch(new RegExp(`location = ${path} \\{\\s*proxy_pass http://`));
      }
      expect(pod.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(port),
      });
      expect(podPortNamed(pod.spec, 'metrics')).toBe(port);
    });
  });

  it('gives every container resource requests and limits and a locked-down security context', () => {
    for (const w of workloads) {
      const spec = podTemplate(w).spec;
      expect(spec.securityContext?.runAsNonRoot, w.metadata.name).toBe(true);
      expect(spec.automountServiceAccountToken, w.metadata.name).toBe(false);
      for (const c of spec.containers) {
        const where = `${w.metadata.name}/${c.name}`;
        expect(c.resources?.requests, where).toMatchObject({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        expect(c.resources?.limits, where).toMatchObject({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        const sc = c.securityContext ?? {};
        expect(sc.runAsNonRoot ?? spec.securityContext?.runAsNonRoot, where).toBe(true);
        expect(sc.readOnlyRootFilesystem, where).toBe(true);
        expect(sc.allowPrivilegeEscalation, where).toBe(false);
        expect(sc.capabilities?.drop, where).toContain('ALL');
        expect(sc.capabilities?.add ?? [], where).toEqual([]);
        expect((sc.seccompProfile ?? spec.securityContext?.seccompProfile)?.type, where).toBe(
          'RuntimeDefault',
        );
        for (const m of c.volumeMounts ?? []) {
          expect(
            spec.volumes?.some((v) => v.name === m.name),
            `${where}: volume ${m.name}`,
          ).toBe(true);
        }
      }
    }
  });

  it('autoscales sql and catalog, leaving their replica count to the autoscaler', () => {
    const hpas = applied.filter((m) => m.kind === 'HorizontalPodAutoscaler');
    for (const name of ['sql', 'catalog'] as ServiceName[]) {
      const hpa = hpas.find(
        (h) => (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === `meridian-${name}`,
      );
      expect(hpa, `HorizontalPodAutoscaler for ${name}`).toBeDefined();
      expect(hpa!.apiVersion).toBe('autoscaling/v2');
      const spec = hpa!.spec as { minReplicas: number; maxReplicas: number };
      expect(spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(spec.maxReplicas).toBeGreaterThan(spec.minReplicas);
      const deployment = find('Deployment', `meridian-${name}`)!;
      expect(deployment.spec!.replicas, `${name}: replicas belong to the autoscaler`).toBeUndefined();
    }
  });

  it('admits only Prometheus from the monitoring namespace on metrics ports, and HTTPS to the edge', () => {
    const policies = applied.filter((m) => m.kind === 'NetworkPolicy');
    type Rule = {
      from?: { namespaceSelector?: { matchLabels?: Record<string, string> }; podSelector?: unknown }[];
      ports?: { port: Port }[];
    };
    type PolicySpec = {
      podSelector: { matchLabels?: Record<string, string> };
      policyTypes: string[];
      ingress?: Rule[];
    };
    const specs = policies.map((p) => p.spec as PolicySpec);
    expect(
      specs.some(
        (s) =>
          Object.keys(s.podSelector.matchLabels ?? {}).length === 0 &&
          s.policyTypes.includes('Ingress') &&
          !s.ingress?.length,
      ),
      'a default-deny ingress policy',
    ).toBe(true);

    const deployments = applied.filter((m) => m.kind === 'Deployment');
    for (const s of specs) {
      const selected = deployments.filter((d) =>
        Object.entries(s.podSelector.matchLabels ?? {}).every(
          ([k, v]) => podTemplate(d).metadata.labels?.[k] === v,
        ),
      );
      for (const rule of s.ingress ?? []) {
        expect(rule.ports?.length, 'every rule names its ports').toBeGreaterThan(0);
        for (const { port } of rule.ports!) {
          if (port === 'metrics') {
            expect(rule.from).toEqual([
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
            ]);
          } else {
            expect(port).toBe('https');
            expect(selected.map((d) => d.metadata.name)).toEqual(['meridian-edge']);
          }
          for (const d of selected)
            expect(
              podPortNamed(podTemplate(d).spec, String(port)),
              `${d.metadata.name}: ${port}`,
            ).toBeDefined();
        }
      }
    }
    for (const name of SERVICE_NAMES) {
      const labels = podTemplate(find('Deployment', `meridian-${name}`)!).metadata.labels ?? {};
      const metricsAllowed = specs.some(
        (s) =>
          Object.entries(s.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
          (s.ingress ?? []).some((r) => r.ports?.some((p) => p.port === 'metrics')),
      );
      expect(metricsAllowed, `${name}: Prometheus can scrape it`).toBe(true);
    }
  });
});
