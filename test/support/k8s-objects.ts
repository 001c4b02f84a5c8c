import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { knownVariables, loadConfig, type MeridianConfig } from '@meridian/config';

/** Minimal shapes of the Kubernetes objects the manifest tests read, and helpers they share. */

export type Port = number | string;
export interface Probe {
  httpGet?: { path: string; port: Port };
  tcpSocket?: { port: Port };
  exec?: { command: string[] };
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}
export interface Container {
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
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  configMap?: { name: string };
  emptyDir?: unknown;
}
export interface LabelSelector {
  matchLabels?: Record<string, string>;
}
export interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  securityContext?: SecurityContext;
  enableServiceLinks?: boolean;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: {
    topologyKey: string;
    whenUnsatisfiable: string;
    labelSelector?: LabelSelector;
  }[];
}
export interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}
export function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(e.name) ? [path] : [];
  });
}

const known = new Set(knownVariables());
/** A name the configuration accepts: a known setting, its `<NAME>_FILE` form, or NODE_ENV. */
export function accepted(name: string): boolean {
  if (name === 'NODE_ENV' || known.has(name)) return true;
  return name.endsWith('_FILE') && known.has(name.slice(0, -'_FILE'.length));
}

export function expectValidConfig(where: string, env: Record<string, string>): MeridianConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}
