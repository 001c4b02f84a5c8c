import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { isLoopbackHost } from '@meridian/config';
import { SERVICE_NAMES, type BackendService } from '@meridian/contracts';
import { DEFAULT_METRICS_PORTS } from '@meridian/messaging';
import {
  accepted,
  expectValidConfig,
  yamlFiles,
  type Container,
  type PodTemplate,
} from '../support/k8s-objects';
import { composeEnv } from '../support/compose';

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
/** The Kubernetes manifests; k8s-manifests.int-spec.ts checks them, this file their image. */
const allManifests = [...byFile.entries()].filter(([f]) => f !== 'kustomization.yaml').flatMap(([, m]) => m);

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

const asArray = (v: string[] | string | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
const COMPOSE_VARS = { SECRET_KEY: 'compose-test-secret-key-0123456789' };

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

  it('health-checks with `meridian healthcheck`, which the wrapper hands to its own small entry point', () => {
    const healthcheck = finalStage.find((i) => i.op === 'HEALTHCHECK')?.arg ?? '';
    expect(healthcheck).toMatch(/ CMD \["meridian", "healthcheck"\]$/);
    const wrapper = finalStage.find((i) => i.op === 'RUN' && i.arg.includes('/usr/local/bin/meridian'))!;
    const entry = /exec node \/app\/(dist\/\S+\.js) "\$@"; fi/.exec(wrapper.arg)?.[1];
    expect(wrapper.arg).toContain('if [ "$1" = healthcheck ]; then shift;');
    expect(entry).toBe(MAIN.replace(/main\.js$/, 'healthcheck.js'));
    expect(existsSync(join(ROOT, entry!.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
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
