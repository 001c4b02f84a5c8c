import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * `kustomize build` for the features the k8s/ kustomizations use, so tests can see what
 * `kubectl apply -k` would send without kubectl: `resources` (files and other kustomization
 * directories, recursively), `namespace`, `images`, `configMapGenerator` (files and literals)
 * and `patches` from files whose strategic-merge patch is `$patch: delete`. Anything else in a
 * kustomization is refused, so an overlay that starts using another feature fails here instead
 * of rendering differently from kustomize.
 *
 * Generated ConfigMaps keep their plain names: kustomize appends a content hash and rewrites the
 * references to it in the same build, which changes no relation between the objects.
 */

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** Where each rendered object came from, for messages. */
export interface Rendered {
  object: K8sObject;
  source: string;
}

export interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  configMapGenerator?: {
    name: string;
    files?: string[];
    literals?: string[];
    options?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  patches?: { path?: string }[];
}

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'configMapGenerator',
  'images',
  'patches',
]);

export function readYamlDocuments(path: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.join('; ')}`);
  }
  return docs.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
}

export function readKustomization(dir: string): Kustomization {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
    .map((f) => join(dir, f))
    .find((f) => existsSync(f));
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const [k] = readYamlDocuments(file) as Kustomization[];
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) {
    throw new Error(`${file}: ${unsupported.join(', ')} not supported by this renderer`);
  }
  if (k.kind !== 'Kustomization') throw new Error(`${file}: kind must be Kustomization`);
  return k;
}

const sameObject = (a: K8sObject, b: K8sObject) =>
  a.apiVersion === b.apiVersion &&
  a.kind === b.kind &&
  a.metadata.name === b.metadata.name &&
  (b.metadata.namespace === undefined || a.metadata.namespace === b.metadata.namespace);

function setImages(node: unknown, images: NonNullable<Kustomization['images']>): void {
  if (Array.isArray(node)) {
    for (const item of node) setImages(item, images);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const c of value as { image?: string }[]) {
        if (typeof c.image !== 'string') continue;
        const at = c.image.indexOf('@');
        const colon = c.image.lastIndexOf(':');
        const end = at >= 0 ? at : colon > c.image.lastIndexOf('/') ? colon : c.image.length;
        const name = c.image.slice(0, end);
        const rule = images.find((i) => i.name === name);
        if (!rule) continue;
        const tag = rule.digest ? `@${rule.digest}` : `:${rule.newTag ?? c.image.slice(end + 1)}`;
        c.image = `${rule.newName ?? name}${tag}`;
      }
    }
    setImages(value, images);
  }
}

function generateConfigMaps(dir: string, k: Kustomization): Rendered[] {
  return (k.configMapGenerator ?? []).map((gen) => {
    const data: Record<string, string> = {};
    for (const entry of gen.files ?? []) {
      const eq = entry.indexOf('=');
      const key = eq >= 0 ? entry.slice(0, eq) : basename(entry);
      data[key] = readFileSync(join(dir, eq >= 0 ? entry.slice(eq + 1) : entry), 'utf8');
    }
    for (const literal of gen.literals ?? []) {
      const eq = literal.indexOf('=');
      data[literal.slice(0, eq)] = literal.slice(eq + 1);
    }
    const metadata: K8sObject['metadata'] & { annotations?: Record<string, string> } = { name: gen.name };
    if (gen.options?.labels) metadata.labels = { ...gen.options.labels };
    if (gen.options?.annotations) metadata.annotations = { ...gen.options.annotations };
    return {
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata, data },
      source: `${relative(process.cwd(), join(dir, 'kustomization.yaml'))} configMapGenerator`,
    };
  });
}

/** The objects `kustomize build <dir>` produces, in resource order. */
export function kustomizeBuild(dir: string): Rendered[] {
  const root = resolve(dir);
  const k = readKustomization(root);
  let out: Rendered[] = [];
  for (const entry of k.resources ?? []) {
    const path = resolve(root, entry);
    if (statSync(path).isDirectory()) {
      out.push(...kustomizeBuild(path));
    } else {
      for (const doc of readYamlDocuments(path)) {
        out.push({ object: doc as K8sObject, source: relative(process.cwd(), path) });
      }
    }
  }
  out.push(...generateConfigMaps(root, k));

  for (const p of k.patches ?? []) {
    if (!p.path) throw new Error(`${root}: only patches from a file (path) are supported by this renderer`);
    for (const doc of readYamlDocuments(resolve(root, p.path)) as (K8sObject & { $patch?: string })[]) {
      if (doc.$patch !== 'delete') {
        throw new Error(`${root}: only \`$patch: delete\` patches are supported by this renderer`);
      }
      const before = out.length;
      out = out.filter((r) => !sameObject(r.object, doc));
      if (out.length === before) {
        throw new Error(`${root}: patch deletes ${doc.kind}/${doc.metadata.name}, which is not there`);
      }
    }
  }

  if (k.namespace) {
    for (const r of out) {
      if (r.object.kind !== 'Namespace') r.object.metadata.namespace = k.namespace;
    }
  }
  if (k.images) for (const r of out) setImages(r.object, k.images);

  const seen = new Set<string>();
  for (const r of out) {
    const id = `${r.object.apiVersion}/${r.object.kind}/${r.object.metadata.namespace ?? ''}/${r.object.metadata.name}`;
    if (seen.has(id)) throw new Error(`${root}: ${id} is rendered twice`);
    seen.add(id);
  }
  return out;
}
