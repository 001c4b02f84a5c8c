import { createRequire } from 'node:module';
import Ajv, { type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * Validation of Kubernetes objects against the API's OpenAPI schemas, as the `kubernetes-models`
 * packages carry them (core and built-in groups: kubernetes-models; keda.sh:
 * @kubernetes-models/keda; monitoring.coreos.com: @kubernetes-models/prometheus-operator).
 *
 * Two passes. `validate` is the packages' own check: types, required fields, enums, formats. Like
 * the schemas it comes from, it ignores fields it does not know (a misspelled
 * `terminationGracePeriodSecond` passes). `unknownFields` checks the same object against the same
 * schemas with every object that lists its properties closed (`additionalProperties: false`), so
 * any key the API does not define is reported with its path. Free-form maps (labels, ConfigMap
 * data, KEDA trigger metadata) stay open, as they are in the API.
 */

const load = createRequire(__filename);

/** The packages' schema registry: wrapped to keep every schema the models register. */
const registry = load('@kubernetes-models/validate') as {
  register: (id: string, schema: AnySchema) => void;
};
const registered = new Map<string, AnySchema>();
const register = registry.register;
registry.register = (id, schema) => {
  registered.set(id, schema);
  register(id, schema);
};

/** API groups served by a CRD package rather than kubernetes-models. */
const CRD_PACKAGES: Record<string, string> = {
  'keda.sh': '@kubernetes-models/keda',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

interface ModelClass {
  new (data: unknown): { validate(): void };
  apiVersion: string;
  kind: string;
}

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const pkg = CRD_PACKAGES[group] ?? 'kubernetes-models';
  let exports: Record<string, unknown>;
  try {
    exports = load(`${pkg}/${apiVersion}`) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  return Object.values(exports).find(
    (c): c is ModelClass =>
      typeof c === 'function' &&
      (c as ModelClass).apiVersion === apiVersion &&
      (c as ModelClass).kind === kind,
  );
}

/** True when the packages hold a schema for this kind. */
export function hasSchema(apiVersion: string, kind: string): boolean {
  return modelFor(apiVersion, kind) !== undefined;
}

/** The packages' own validation (unknown fields pass). Problems as messages; none when valid. */
export function validate(object: { apiVersion: string; kind: string }): string[] {
  const Model = modelFor(object.apiVersion, object.kind);
  if (!Model) return [`no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

/** A deep copy of a schema with every object that lists properties closed to other keys. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties` maps names to schemas: keep the names, close the schemas.
    out[key] =
      key === 'properties' && value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, closed(v)]))
        : closed(value);
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

const strict = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const added = new Set<string>();
const compiled = new Map<string, ValidateFunction>();

function strictValidator(apiVersion: string, kind: string): ValidateFunction | undefined {
  const key = `${apiVersion} ${kind}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  // Registering happens on the packages' first validation of the kind.
  if (validate({ apiVersion, kind }).some((m) => m.startsWith('no schema'))) return undefined;
  for (const [id, schema] of registered) {
    if (added.has(id)) continue;
    strict.addSchema(closed(schema) as AnySchema, id);
    added.add(id);
  }
  const id = [...registered.entries()].find(([, s]) => {
    const props = (s as { properties?: Record<string, { enum?: string[] }> }).properties;
    return props?.apiVersion?.enum?.includes(apiVersion) && props.kind?.enum?.includes(kind);
  })?.[0];
  const fn = id === undefined ? undefined : strict.getSchema(id);
  if (fn) compiled.set(key, fn);
  return fn;
}

/** Paths of the keys the API does not define, e.g. `/spec/template/spec/readinesProbe`. */
export function unknownFields(object: { apiVersion: string; kind: string }): string[] {
  const fn = strictValidator(object.apiVersion, object.kind);
  if (!fn) return [`no schema for ${object.apiVersion} ${object.kind}`];
  if (fn(object)) return [];
  return [
    ...new Set(
      (fn.errors ?? [])
        .filter((e: ErrorObject) => e.keyword === 'additionalProperties')
        .map((e) => `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`),
    ),
  ];
}
