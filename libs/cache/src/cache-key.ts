import { createHash } from 'node:crypto';
import type { Principal } from '@meridian/contracts';

/** Everything that shapes a cached answer for one caller. */
export interface CacheKeyParts {
  /** The tool (or, for internal data, a name of its own such as `chart_data`). */
  tool: string;
  /** The validated arguments; `force_refresh` is read by the cache and left out of the key. */
  args: unknown;
  /** Whose answer it is: the user id and role names are part of every key. */
  principal: Pick<Principal, 'user_id' | 'roles'>;
  /**
   * Fingerprint of the caller's grants (`AccessProfile.fingerprint` from @meridian/authz); a
   * function is called after the data versions are read, so a permission change seen there is
   * already reflected in it.
   */
  grants: string | (() => Promise<string>);
  /** The row-level security predicate(s) applied to the answer, when it holds rows. */
  rls?: unknown;
  /** The objects the answer is made of: `dataset:12`, or `chart:*` for "any chart" (lists). */
  objects: readonly string[];
}

/** An object reference for `objects`: `objectRef('dataset', 12)`, `objectRef('chart')` for any chart. */
export function objectRef(kind: string, id?: number | string): string {
  return `${kind}:${id === undefined ? '*' : String(id)}`;
}

/** The version counters an object reference depends on. */
export function versionKeys(ref: string): string[] {
  const at = ref.indexOf(':');
  const kind = at < 0 ? ref : ref.slice(0, at);
  const id = at < 0 ? '*' : ref.slice(at + 1);
  // One object also depends on the "everything of this kind changed" counter.
  return id === '*' ? [`${kind}:*`] : [`${kind}:${id}`, `${kind}:all`];
}

/** The counters `bump(kind, id)` advances: the object and "some object of this kind". */
export function bumpKeys(kind: string, id?: number | string): string[] {
  return id === undefined ? [`${kind}:*`, `${kind}:all`] : [`${kind}:${String(id)}`, `${kind}:*`];
}

/** JSON with object keys sorted at every depth, so equal arguments give equal keys. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`);
  return `{${entries.join(',')}}`;
}

/** The arguments without `force_refresh`, which changes how an answer is fetched, not what it is. */
export function keyArgs(args: unknown): unknown {
  if (!args || typeof args !== 'object' || Array.isArray(args)) return args;
  const { force_refresh: _ignored, ...rest } = args as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest)) as unknown;
}

export function wantsRefresh(args: unknown): boolean {
  return !!args && typeof args === 'object' && (args as { force_refresh?: unknown }).force_refresh === true;
}

/** The one key scheme of every cache in Meridian. */
export function cacheKey(
  prefix: string,
  parts: Omit<CacheKeyParts, 'grants'> & { grants: string },
  versions: Record<string, string>,
): string {
  const material = canonical({
    tool: parts.tool,
    args: keyArgs(parts.args),
    user: parts.principal.user_id,
    roles: [...new Set(parts.principal.roles)].sort(),
    grants: parts.grants,
    rls: parts.rls ?? null,
    versions,
  });
  return `${prefix}:e:${parts.tool}:${createHash('sha256').update(material).digest('hex')}`;
}
