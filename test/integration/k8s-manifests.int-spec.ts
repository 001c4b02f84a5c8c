import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { assertEdgeSecurity } from '../../apps/edge/src/edge.bootstrap';
import { CANCEL_GRACE_MS } from '../../apps/sql/src/engines/engine';
import { sqlQueuedQueries } from '../../apps/sql/src/worker/sql-metrics';
import { isLoopbackHost, type MeridianConfig } from '@meridian/config';
import { SERVICE_NAMES, type BackendService } from '@meridian/contracts';
import { DEFAULT_METRICS_PORTS } from '@meridian/messaging';
import {
  accepted,
  expectValidConfig,
  yamlFiles,
  type Container,
  type LabelSelector,
  type PodSpec,
  type PodTemplate,
  type Port,
} from '../support/k8s-objects';
import { unknownFields, validate } from '../support/k8s-schema';
import {
  kustomizeBuild,
  readKustomization,
  readYamlDocuments,
  type K8sObject,
  type Kustomization,
} from '../support/kustomize';
import { startOwnRedisServer } from '../support/redis-server';

/**
 * The Kubernetes manifests cannot be applied here, so this suite renders every kustomization in
 * k8s/ as `kubectl apply -k` would, checks each object against the API's schemas (unknown keys
 * included), and holds the result to what the code expects: the commands the CLI knows, the
 * settings the configuration accepts, the ports the services listen on, the drain of the sql
 * workers, the connection budget of the metadata database, and the hardening every pod needs.
 */

const ROOT = resolve(__dirname, '../..');
const K8S = join(ROOT, 'k8s');
const IMAGE = 'meridian';
const BACKEND = SERVICE_NAMES.filter((s): s is BackendService => s !== 'edge');
/** `app.kubernetes.io/component` of what a rollout applies before everything else. */
const FIRST_STEP_COMPONENTS = ['config', 'db-upgrade'];

// ---- what the files hold ----------------------------------------------------------------------

type Manifest = K8sObject & {
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

// ---- loading --------------------------------------------------------------------------------

const rel = (path: string) => relative(K8S, path).split('\\').join('/');
const k8sFiles = yamlFiles(K8S).map(rel);
/** Every directory with a kustomization: `kubectl apply -k` works on each. */
const kustomizations = new Map<string, Kustomization>(
  k8sFiles
    .filter((f) => basename(f) === 'kustomization.yaml')
    .map((f) => [dirname(f), readKustomization(join(K8S, dirname(f)))]),
);
/** What `kubectl apply -k k8s/<dir>` creates, per kustomization ('.' is k8s/ itself). */
const builds = new Map<string, Manifest[]>(
  [...kustomizations.keys()].map((d) => [d, kustomizeBuild(join(K8S, d)).map((r) => r.object as Manifest)]),
);
const rootKustomization = kustomizations.get('.')!;
/** The default: `kubectl apply -k k8s/`. */
const applied = builds.get('.')!;
/** Builds that deploy Meridian (those including k8s/ itself), e.g. the default and overlays/keda. */
const deployments = [...builds.entries()].filter(([, objects]) =>
  objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'meridian-edge'),
);
const examples = k8sFiles
  .filter((f) => f.includes('.example.'))
  .flatMap((f) => readYamlDocuments(join(K8S, f)) as Manifest[]);

const find = (kind: string, name: string, from: Manifest[] = applied): Manifest | undefined =>
  from.find((m) => m.kind === kind && m.metadata.name === name);
const podTemplate = (m: Manifest): PodTemplate => (m.spec as { template: PodTemplate }).template;
const isMeridian = (c: Container) => c.image.split(':')[0] === IMAGE;
const workloadsOf = (objects: Manifest[]) =>
  objects.filter((m) => m.kind === 'Deployment' || m.kind === 'Job');
const matches = (selector: LabelSelector | undefined, labels: Record<string, string> | undefined) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);

/** Users of deploy/nats/nats-server.conf and the environment variable each one's password comes from. */
const natsConf = readFileSync(join(ROOT, 'deploy/nats/nats-server.conf'), 'utf8');
const natsUsers = new Map(
  [...natsConf.matchAll(/user:\s*([\w-]+)\s*\n\s*password:\s*\$(\w+)/g)].map((m) => [m[1], m[2]]),
);

// ---- helpers --------------------------------------------------------------------------------

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

const tmp = mkdtempSync(join(tmpdir(), 'meridian-k8s-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const secretExample = find('Secret', 'meridian-secrets', examples)!;

/**
 * The environment a container of this pod starts with (ConfigMaps by envFrom, then env), with
 * every `<NAME>_FILE` pointed at a copy of the example Secret's value after checking that the
 * pod really mounts that key at that path.
 */
function containerEnv(pod: PodSpec, container: Container, objects = applied): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    expect(from.secretRef, `${container.name}: secrets come in as files, not envFrom`).toBeUndefined();
    const cm = find('ConfigMap', from.configMapRef!.name, objects);
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

/** The configuration a Deployment's Meridian container starts with. */
function deploymentConfig(objects: Manifest[], name: string): MeridianConfig {
  const pod = podTemplate(find('Deployment', name, objects)!);
  return expectValidConfig(name, containerEnv(pod.spec, pod.spec.containers.find(isMeridian)!, objects));
}

/** The replica bound of a Deployment: its autoscaler's maximum, else its fixed count. */
function maxReplicas(objects: Manifest[], deployment: Manifest): number {
  const targets = (m: Manifest) =>
    (m.spec as { scaleTargetRef?: { name: string } } | undefined)?.scaleTargetRef?.name ===
    deployment.metadata.name;
  const hpa = objects.find((m) => m.kind === 'HorizontalPodAutoscaler' && targets(m));
  if (hpa) return (hpa.spec as { maxReplicas: number }).maxReplicas;
  const scaled = objects.find((m) => m.kind === 'ScaledObject' && targets(m));
  if (scaled) return (scaled.spec as { maxReplicaCount: number }).maxReplicaCount;
  return (deployment.spec as { replicas?: number }).replicas ?? 1;
}

/** Extra pods a rolling update runs at once (maxSurge, a count or a percentage rounded up). */
function surge(deployment: Manifest, replicas: number): number {
  const strategy = (deployment.spec as { strategy?: { type?: string; rollingUpdate?: { maxSurge?: Port } } })
    .strategy;
  if (strategy?.type === 'Recreate') return 0;
  const value = strategy?.rollingUpdate?.maxSurge ?? '25%';
  return typeof value === 'number' ? value : Math.ceil((replicas * Number(value.replace('%', ''))) / 100);
}

// ---- the suite ------------------------------------------------------------------------------

describe('Kubernetes manifests', () => {
  it('render: k8s/ and each overlay, every namespaced object in the meridian namespace', () => {
    expect([...builds.keys()]).toContain('overlays/keda');
    expect(deployments.map(([d]) => d)).toEqual(expect.arrayContaining(['.', 'overlays/keda']));
    expect(rootKustomization.namespace).toBe('meridian');
    for (const [dir, objects] of builds) {
      for (const m of objects) {
        expect(
          m.apiVersion && m.kind && m.metadata?.name,
          `${dir}: ${JSON.stringify(m).slice(0, 80)}`,
        ).toBeTruthy();
        if (m.kind !== 'Namespace')
          expect(m.metadata.namespace, `${dir}: ${m.kind}/${m.metadata.name}`).toBe('meridian');
      }
    }
    expect(find('Namespace', 'meridian')).toBeDefined();
  });

  it('refuses to render a kustomization feature it does not implement, rather than render it wrong', () => {
    const dir = mkdtempSync(join(tmp, 'kustomization-'));
    const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
    write('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    const head = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cm.yaml]\n';
    write('kustomization.yaml', `${head}commonLabels: {a: b}\n`);
    expect(() => kustomizeBuild(dir)).toThrow(/commonLabels not supported/);
    write('patch.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: {k: v}\n');
    write('kustomization.yaml', `${head}patches: [{path: patch.yaml}]\n`);
    expect(() => kustomizeBuild(dir)).toThrow(/only `\$patch: delete` patches/);
    write('patch.yaml', '$patch: delete\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n');
    expect(() => kustomizeBuild(dir)).toThrow(/ConfigMap\/b, which is not there/);
    write('patch.yaml', '$patch: delete\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    expect(kustomizeBuild(dir)).toEqual([]);
  });

  it('holds no stray files: each YAML is a kustomization, a resource or patch of one, or an example', () => {
    const used = new Set<string>();
    for (const [dir, k] of kustomizations) {
      used.add(posix.join(dir, 'kustomization.yaml'));
      for (const r of [
        ...(k.resources ?? []),
        ...(k.patches ?? []).flatMap((p) => (p.path ? [p.path] : [])),
      ]) {
        const path = posix.normalize(posix.join(dir, r));
        expect(existsSync(join(K8S, path)), `${dir}: ${r}`).toBe(true);
        used.add(path);
      }
      for (const gen of k.configMapGenerator ?? []) {
        for (const f of gen.files ?? [])
          expect(existsSync(join(K8S, dir, f.split('=').at(-1)!)), f).toBe(true);
      }
      expect(
        (k.resources ?? []).filter((r) => r.includes('.example.')),
        `${dir} applies no example`,
      ).toEqual([]);
    }
    expect(k8sFiles.filter((f) => !used.has(f) && !f.includes('.example.'))).toEqual([]);
    // k8s/ itself lists every manifest beside it but the examples.
    const topLevel = k8sFiles.filter(
      (f) => !f.includes('/') && f !== 'kustomization.yaml' && !f.includes('.example.'),
    );
    expect(topLevel.sort()).toEqual(
      (rootKustomization.resources ?? []).filter((r) => !r.includes('/')).sort(),
    );
    expect(rootKustomization.images?.map((i) => i.name)).toContain(IMAGE);
  });

  it('match the Kubernetes API schemas, with no field the API does not define', () => {
    const checked = new Set<string>();
    for (const [dir, objects] of [...builds.entries(), ['examples', examples] as const]) {
      for (const m of objects) {
        const where = `${dir}: ${m.kind}/${m.metadata.name}`;
        expect(validate(m), where).toEqual([]);
        expect(unknownFields(m), where).toEqual([]);
        checked.add(`${m.apiVersion} ${m.kind}`);
      }
    }
    expect([...checked]).toEqual(
      expect.arrayContaining([
        'apps/v1 Deployment',
        'batch/v1 Job',
        'policy/v1 PodDisruptionBudget',
        'autoscaling/v2 HorizontalPodAutoscaler',
        'keda.sh/v1alpha1 ScaledObject',
        'networking.k8s.io/v1 NetworkPolicy',
      ]),
    );
  });

  it('catches a misspelled key that the schema validation alone lets through', () => {
    const clone = <T>(v: T): T => structuredClone(v);
    const sql = clone(find('Deployment', 'meridian-sql')!);
    const pod = podTemplate(sql).spec as PodSpec & Record<string, unknown>;
    pod.terminationGracePeriodSecond = pod.terminationGracePeriodSeconds;
    delete pod.terminationGracePeriodSeconds;
    const c = pod.containers[0] as Container & Record<string, unknown>;
    c.readinesProbe = c.readinessProbe;
    delete c.readinessProbe;
    expect(validate(sql)).toEqual([]);
    expect(unknownFields(sql).sort()).toEqual([
      '/spec/template/spec/containers/0/readinesProbe',
      '/spec/template/spec/terminationGracePeriodSecond',
    ]);

    const pdb = clone(find('PodDisruptionBudget', 'meridian-sql')!);
    (pdb.spec as Record<string, unknown>).maxUnavaliable = 1;
    expect(unknownFields(pdb)).toEqual(['/spec/maxUnavaliable']);

    const hpa = clone(find('HorizontalPodAutoscaler', 'meridian-edge')!);
    (hpa.spec as Record<string, unknown>).maxReplica = 3;
    expect(unknownFields(hpa)).toEqual(['/spec/maxReplica']);

    const scaled = clone(find('ScaledObject', 'meridian-sql', builds.get('overlays/keda'))!);
    const trigger = (scaled.spec as { triggers: Record<string, unknown>[] }).triggers[0];
    trigger.metdata = trigger.metadata;
    expect(unknownFields(scaled)).toEqual(['/spec/triggers/0/metdata']);

    // Types are the first pass's business.
    const typed = clone(find('Deployment', 'meridian-chart')!);
    (typed.spec as Record<string, unknown>).replicas = 'two';
    expect(validate(typed).join('\n')).toMatch(/replicas/);
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
    for (const [dir, objects] of builds)
      expect(
        objects.filter((m) => m.kind === 'Secret'),
        dir,
      ).toEqual([]);
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
      const selected = applied.filter(
        (d) => d.kind === 'Deployment' && matches({ matchLabels: selector }, podTemplate(d).metadata.labels),
      );
      expect(
        selected.map((d) => d.metadata.name),
        `Service meridian-${name} selects only its pods`,
      ).toEqual([`meridian-${name}`]);
      for (const p of (service!.spec as { ports: { targetPort: Port }[] }).ports) {
        const target = typeof p.targetPort === 'number' ? p.targetPort : podPortNamed(pod.spec, p.targetPort);
        expect(target, `Service meridian-${name} targets a declared port`).toBeDefined();
      }
    }
  });

  it('migrates with `db upgrade` in a Job named for the release, so a new version applies beside the old', () => {
    const tag = rootKustomization.images!.find((i) => i.name === IMAGE)!.newTag!;
    for (const [dir, objects] of deployments) {
      const jobs = objects.filter((m) => m.kind === 'Job');
      expect(
        jobs.map((j) => j.metadata.name),
        dir,
      ).toEqual([`meridian-db-upgrade-${tag.replace(/\./g, '-')}`]);
      const job = jobs[0];
      expect(job.metadata.labels?.['app.kubernetes.io/version'], dir).toBe(tag);
      expect((job.spec as { ttlSecondsAfterFinished?: number }).ttlSecondsAfterFinished, dir).toBeGreaterThan(
        0,
      );
      const c = podTemplate(job).spec.containers[0];
      expect(isMeridian(c)).toBe(true);
      expect([...(c.command ?? []), ...(c.args ?? [])]).toEqual(['db', 'upgrade']);
      // Every Meridian container runs the release the Job migrates to.
      const images = workloadsOf(objects).flatMap((w) => podTemplate(w).spec.containers.filter(isMeridian));
      expect(new Set(images.map((i) => i.image)), dir).toEqual(new Set([`${IMAGE}:${tag}`]));

      // The rollout's first step (README.md, "Deploy") applies the Job with what it reads, alone.
      const firstStep = objects.filter((m) =>
        FIRST_STEP_COMPONENTS.includes(m.metadata.labels?.['app.kubernetes.io/component'] ?? ''),
      );
      const configMaps = (c.envFrom ?? []).map((e) => e.configMapRef!.name);
      expect(firstStep.map((m) => `${m.kind}/${m.metadata.name}`).sort(), dir).toEqual(
        [...configMaps.map((n) => `ConfigMap/${n}`), `Job/${job.metadata.name}`].sort(),
      );
    }
    const readme = readFileSync(join(K8S, 'README.md'), 'utf8');
    expect(readme).toContain(
      `kubectl apply -k k8s/ -l 'app.kubernetes.io/component in (${FIRST_STEP_COMPONENTS.join(',')})'`,
    );
  });

  it('uses only settings the configuration accepts, with valid values, and no service links', () => {
    for (const [dir, objects] of deployments) {
      for (const cm of objects.filter(
        (m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith('meridian-config'),
      )) {
        for (const key of Object.keys(cm.data ?? {}))
          expect(accepted(key), `${dir} ${cm.metadata.name}: ${key}`).toBe(true);
      }
      for (const w of [...workloadsOf(objects), ...workloadsOf(examples)]) {
        const pod = podTemplate(w).spec;
        // A Service named meridian-x would otherwise inject MERIDIAN_X_SERVICE_HOST and friends.
        expect(pod.enableServiceLinks, `${w.metadata.name}: enableServiceLinks`).toBe(false);
        for (const c of pod.containers.filter(isMeridian)) {
          const where = `${dir} ${w.metadata.name}/${c.name}`;
          const env = containerEnv(pod, c, objects);
          for (const key of Object.keys(env)) expect(accepted(key), `${where}: ${key}`).toBe(true);
          const config = expectValidConfig(where, env);
          expect(config.databaseUrl, `${where}: database URL`).toBeDefined();
          expect(config.natsServers.length > 0 || w.kind === 'Job', `${where}: NATS_URL`).toBe(true);
        }
      }
    }
  });

  it('shares rate limits and the answer cache through the Redis it deploys', () => {
    for (const name of SERVICE_NAMES) {
      const config = deploymentConfig(applied, `meridian-${name}`);
      expect(config.rateLimiting.enabled, name).toBe(true);
      expect(config.cache.enabled, name).toBe(true);
      expect(config.cache.backend, name).toBe('redis');
      for (const url of [config.rateLimiting.storageUri, config.cache.url!]) {
        const { hostname, port } = new URL(url);
        const service = find('Service', hostname);
        expect(service, `${name}: ${url} names a Service`).toBeDefined();
        const spec = service!.spec as {
          selector: Record<string, string>;
          ports: { port: number; targetPort: Port }[];
        };
        const servicePort = spec.ports.find((p) => p.port === Number(port || 6379));
        expect(servicePort, `${name}: ${url}`).toBeDefined();
        const redis = applied.find(
          (d) =>
            d.kind === 'Deployment' &&
            matches({ matchLabels: spec.selector }, podTemplate(d).metadata.labels),
        )!;
        const container = podTemplate(redis).spec.containers[0];
        expect(container.image).toMatch(/^redis:/);
        expect(podPortNamed(podTemplate(redis).spec, String(servicePort!.targetPort))).toBe(6379);
        // Bounded: evicts instead of growing past its container's memory limit.
        expect(container.command).toEqual(expect.arrayContaining(['--maxmemory', '--maxmemory-policy']));
      }
    }
  });

  it('runs Redis with settings redis-server accepts: nothing on disk, memory bounded below its limit', async () => {
    const redis = podTemplate(find('Deployment', 'meridian-redis')!).spec.containers[0];
    const [binary, ...args] = redis.command!;
    expect(binary).toBe('redis-server');
    const server = await startOwnRedisServer(args);
    const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await client.connect();
      const get = async (name: string) => ((await client.config('GET', name)) as string[])[1];
      expect(await get('save')).toBe('');
      expect(await get('appendonly')).toBe('no');
      // Only keys with an expiry are evicted: the cache's version counters (no expiry) stay.
      expect(await get('maxmemory-policy')).toBe('volatile-lru');
      const maxmemory = Number(await get('maxmemory'));
      const limit = /^(\d+)Mi$/.exec(redis.resources!.limits!.memory)!;
      expect(maxmemory).toBeGreaterThan(0);
      expect(maxmemory).toBeLessThan(Number(limit[1]) * 1024 * 1024 * 0.9);
    } finally {
      client.disconnect();
      await server.stop();
    }
  });

  it('connects each service to NATS as its own user, with that user’s password from the Secret', () => {
    for (const name of SERVICE_NAMES) {
      const pod = podTemplate(find('Deployment', `meridian-${name}`)!);
      const config = deploymentConfig(applied, `meridian-${name}`);
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
      const pod = podTemplate(find('Deployment', `meridian-${name}`)!);
      const c = pod.spec.containers.find(isMeridian)!;
      const config = deploymentConfig(applied, `meridian-${name}`);
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
    const generator = rootKustomization.configMapGenerator!.find((g) =>
      pod.spec.volumes?.some((v) => v.configMap?.name === g.name),
    )!;
    const confFile = generator.files![0];
    const nginxConf = readFileSync(join(K8S, confFile.split('=').at(-1)!), 'utf8');
    const servers = nginxConf.split(/\n\s*server\s*\{/).slice(1);
    const serverListening = (re: RegExp) => servers.find((s) => re.test(s));

    it('binds the edge to loopback with token authentication, for the public name', () => {
      const config = deploymentConfig(applied, 'meridian-edge');
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
      expect(proxy.image).toMatch(/^nginx:/);
      const args = [...(proxy.command ?? []), ...(proxy.args ?? [])];
      const confMount = proxy.volumeMounts!.find(
        (m) => pod.spec.volumes!.find((v) => v.name === m.name)?.configMap?.name === generator.name,
      )!;
      expect(args).toContain(`${confMount.mountPath}/${confFile.split('=')[0]}`);

      const https = serverListening(/listen\s+8443\s+ssl\s+http2;/)!;
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
      for (const [dir, objects] of builds)
        expect(find('Secret', 'meridian-edge-tls', objects), dir).toBeUndefined();
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

    it('leaves the Service before stopping, and lets the proxy finish open streams', () => {
      const config = deploymentConfig(applied, 'meridian-edge');
      for (const c of [edge, proxy])
        expect(c.lifecycle?.preStop?.exec?.command.join(' '), c.name).toMatch(/sleep 5/);
      // SIGQUIT is nginx's graceful stop; the SIGTERM Kubernetes sends after the hook is not.
      expect(proxy.lifecycle!.preStop!.exec!.command.join(' ')).toMatch(/kill -QUIT 1/);
      expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(5 + config.requestTimeoutMs / 1000);
    });
  });

  it('gives every container resource requests and limits and a locked-down security context', () => {
    for (const w of [...workloadsOf(applied), ...workloadsOf(examples)]) {
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

  it('gives every Deployment a disruption budget and spreads its pods over nodes and zones', () => {
    for (const [dir, objects] of deployments) {
      const all = objects.filter((m) => m.kind === 'Deployment');
      for (const d of all) {
        const where = `${dir} ${d.metadata.name}`;
        const labels = podTemplate(d).metadata.labels;
        const pdbs = objects.filter(
          (m) =>
            m.kind === 'PodDisruptionBudget' &&
            matches((m.spec as { selector: LabelSelector }).selector, labels),
        );
        expect(pdbs.length, `${where}: one PodDisruptionBudget`).toBe(1);
        const pdb = pdbs[0].spec as { selector: LabelSelector; maxUnavailable?: Port; minAvailable?: Port };
        // It covers this Deployment's pods only, and lets a drain make progress.
        expect(
          all
            .filter((o) => matches(pdb.selector, podTemplate(o).metadata.labels))
            .map((o) => o.metadata.name),
          where,
        ).toEqual([d.metadata.name]);
        expect(pdb.maxUnavailable, where).toBe(1);

        const spread = podTemplate(d).spec.topologySpreadConstraints ?? [];
        expect(
          spread.map((s) => s.topologyKey),
          where,
        ).toContain('kubernetes.io/hostname');
        for (const s of spread) {
          expect(matches(s.labelSelector, labels), `${where}: spread selects its own pods`).toBe(true);
          expect(Object.keys(s.labelSelector?.matchLabels ?? {}).length, where).toBeGreaterThan(0);
        }
      }
    }
  });

  it('autoscales edge, catalog and sql: on CPU by default, sql on its queue with KEDA, never both', () => {
    const hpaTargets = (objects: Manifest[]) =>
      objects
        .filter((m) => m.kind === 'HorizontalPodAutoscaler')
        .map((h) => (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name);
    const scaledTargets = (objects: Manifest[]) =>
      objects
        .filter((m) => m.kind === 'ScaledObject')
        .map((s) => (s.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name);

    expect(hpaTargets(applied).sort()).toEqual(['meridian-catalog', 'meridian-edge', 'meridian-sql']);
    expect(scaledTargets(applied)).toEqual([]);
    const keda = builds.get('overlays/keda')!;
    expect(hpaTargets(keda).sort()).toEqual(['meridian-catalog', 'meridian-edge']);
    expect(scaledTargets(keda)).toEqual(['meridian-sql']);

    for (const [dir, objects] of deployments) {
      const hpas = hpaTargets(objects);
      const scaled = scaledTargets(objects);
      expect(
        hpas.filter((t) => scaled.includes(t)),
        `${dir}: an HPA and a ScaledObject on one target`,
      ).toEqual([]);
      for (const target of [...hpas, ...scaled]) {
        const d = find('Deployment', target, objects)!;
        expect(d, `${dir}: ${target}`).toBeDefined();
        expect(d.spec!.replicas, `${dir} ${target}: replicas belong to the autoscaler`).toBeUndefined();
      }
      for (const h of objects.filter((m) => m.kind === 'HorizontalPodAutoscaler')) {
        const spec = h.spec as { minReplicas: number; maxReplicas: number };
        expect(spec.minReplicas, h.metadata.name).toBeGreaterThanOrEqual(2);
        expect(spec.maxReplicas, h.metadata.name).toBeGreaterThan(spec.minReplicas);
      }
    }

    // The queue trigger reads the gauge the sql worker really exports.
    const metric = (sqlQueuedQueries() as unknown as { name: string }).name;
    const scaled = find('ScaledObject', 'meridian-sql', keda)!.spec as {
      minReplicaCount: number;
      maxReplicaCount: number;
      triggers: { type: string; metadata: Record<string, string> }[];
    };
    const prometheus = scaled.triggers.find((t) => t.type === 'prometheus')!;
    expect(prometheus.metadata.query).toMatch(new RegExp(`\\b${metric}\\b`));
    expect(Number(prometheus.metadata.threshold)).toBeGreaterThan(0);
    expect(prometheus.metadata.serverAddress).toMatch(/^https?:\/\//);
    // The same bounds as the CPU autoscaler it replaces.
    const cpu = find('HorizontalPodAutoscaler', 'meridian-sql')!.spec as {
      minReplicas: number;
      maxReplicas: number;
    };
    expect([scaled.minReplicaCount, scaled.maxReplicaCount]).toEqual([cpu.minReplicas, cpu.maxReplicas]);
  });

  it('gives sql longer to stop than its drain: the longest query, then cancelling what still runs', () => {
    for (const [dir, objects] of deployments) {
      const sql = find('Deployment', 'meridian-sql', objects)!;
      const config = deploymentConfig(objects, 'meridian-sql');
      // SqlWorkerLifecycle: SQLLAB_TIMEOUT + 2 grace periods for answers, then cancel and 2 more;
      // then the pools and NATS close, for which 10 s are kept.
      const drain = config.sql.maxTimeoutSeconds + (4 * CANCEL_GRACE_MS) / 1000 + 10;
      expect(podTemplate(sql).spec.terminationGracePeriodSeconds, dir).toBeGreaterThanOrEqual(drain);
      for (const d of objects.filter((m) => m.kind === 'Deployment')) {
        expect(podTemplate(d).spec.terminationGracePeriodSeconds, d.metadata.name).toBeGreaterThanOrEqual(10);
      }
    }
  });

  describe('connection budget', () => {
    /** PostgreSQL's defaults: max_connections, superuser_reserved_connections. */
    const MAX_CONNECTIONS = 100;
    const SUPERUSER_RESERVED = 3;
    /** Kept free for operators: psql, `meridian` commands run in a pod, the optional seed Job. */
    const OPERATOR_HEADROOM = 10;
    /** `db upgrade`: the advisory-lock session and the migration runner (libs/persistence). */
    const MIGRATION_CONNECTIONS = 2;

    interface Row {
      name: string;
      pods: number;
      perPod: number;
      total: number;
    }
    function budget(objects: Manifest[]): Row[] {
      const rows = objects
        .filter((m) => m.kind === 'Deployment')
        .flatMap((d) => {
          const perPod = podTemplate(d)
            .spec.containers.filter(isMeridian)
            .map((c) => expectValidConfig(d.metadata.name, containerEnv(podTemplate(d).spec, c, objects)))
            .filter((config) => config.databaseUrl !== undefined)
            .reduce((sum, config) => sum + config.pool.size + config.pool.maxOverflow, 0);
          if (perPod === 0) return [];
          const replicas = maxReplicas(objects, d);
          const pods = replicas + surge(d, replicas);
          return [{ name: d.metadata.name, pods, perPod, total: pods * perPod }];
        });
      const jobs = objects.filter((m) => m.kind === 'Job');
      return [
        ...rows,
        ...jobs.map((j) => ({
          name: j.metadata.name,
          pods: 1,
          perPod: MIGRATION_CONNECTIONS,
          total: MIGRATION_CONNECTIONS,
        })),
      ];
    }
    const limit = MAX_CONNECTIONS - SUPERUSER_RESERVED - OPERATOR_HEADROOM;

    it('fits PostgreSQL’s default max_connections at every autoscaler’s maximum, during a rollout', () => {
      for (const [dir, objects] of deployments) {
        const rows = budget(objects);
        expect(rows.map((r) => r.name).sort(), dir).toEqual(
          [
            ...SERVICE_NAMES.map((s) => `meridian-${s}`),
            find('Job', rows.at(-1)!.name, objects)!.metadata.name,
          ].sort(),
        );
        const total = rows.reduce((sum, r) => sum + r.total, 0);
        expect(total, `${dir}: ${JSON.stringify(rows)}`).toBeLessThanOrEqual(limit);
      }
    });

    it('lets sql run no more queries at once than its pools have connections', () => {
      for (const [dir, objects] of deployments) {
        // The pool settings size sql's pool to each analytics database as well.
        const config = deploymentConfig(objects, 'meridian-sql');
        expect(config.sql.workerConcurrency, dir).toBeLessThanOrEqual(
          config.pool.size + config.pool.maxOverflow,
        );
      }
    });

    it('is the table in k8s/README.md', () => {
      const readme = readFileSync(join(K8S, 'README.md'), 'utf8');
      const section = readme.slice(readme.indexOf('## Connection budget'));
      const table = section
        .split('\n')
        .filter((l) => /^\| `meridian-/.test(l))
        .map((l) => {
          const [name, pods, perPod, total] = l
            .split('|')
            .slice(1, 5)
            .map((c) => c.trim());
          return {
            name: name.replace(/`/g, ''),
            pods: Number(pods),
            perPod: Number(perPod),
            total: Number(total),
          };
        });
      const rows = budget(applied);
      expect(table).toEqual(rows);
      const sum = rows.reduce((s, r) => s + r.total, 0);
      expect(section).toMatch(new RegExp(`\\| \\*\\*Total\\*\\* +\\|[ |]*\\*\\*${sum}\\*\\*`));
      expect(section).toContain(
        `${MAX_CONNECTIONS} − ${SUPERUSER_RESERVED} reserved for superusers − ${OPERATOR_HEADROOM} for operators = ${limit}`,
      );
      // The KEDA overlay has the same bounds, hence the same table.
      expect(budget(builds.get('overlays/keda')!)).toEqual(rows);
    });
  });

  it('admits Prometheus from the monitoring namespace on metrics ports, HTTPS to the edge, Meridian to Redis', () => {
    const policies = applied.filter((m) => m.kind === 'NetworkPolicy');
    type Rule = {
      from?: { namespaceSelector?: LabelSelector; podSelector?: LabelSelector }[];
      ports?: { port: Port }[];
    };
    type PolicySpec = { podSelector: LabelSelector; policyTypes: string[]; ingress?: Rule[] };
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

    const all = applied.filter((m) => m.kind === 'Deployment');
    const meridianPods = all.filter((d) => podTemplate(d).spec.containers.some(isMeridian));
    for (const s of specs) {
      const selected = all.filter((d) => matches(s.podSelector, podTemplate(d).metadata.labels));
      for (const rule of s.ingress ?? []) {
        expect(rule.ports?.length, 'every rule names its ports').toBeGreaterThan(0);
        for (const { port } of rule.ports!) {
          if (port === 'metrics') {
            expect(rule.from).toEqual([
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
            ]);
          } else if (port === 'redis') {
            expect(selected.map((d) => d.metadata.name)).toEqual(['meridian-redis']);
            // From Meridian's pods (Jobs included) in this namespace, and no one else.
            expect(rule.from?.length).toBe(1);
            const from = rule.from![0];
            expect(from.namespaceSelector).toBeUndefined();
            const admitted = all.filter((d) => matches(from.podSelector, podTemplate(d).metadata.labels));
            expect(admitted.map((d) => d.metadata.name).sort()).toEqual(
              meridianPods.map((d) => d.metadata.name).sort(),
            );
            for (const j of workloadsOf(applied).filter((w) => w.kind === 'Job'))
              expect(matches(from.podSelector, podTemplate(j).metadata.labels), j.metadata.name).toBe(true);
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
          matches(s.podSelector, labels) &&
          (s.ingress ?? []).some((r) => r.ports?.some((p) => p.port === 'metrics')),
      );
      expect(metricsAllowed, `${name}: Prometheus can scrape it`).toBe(true);
    }
  });
});
