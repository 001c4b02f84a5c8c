import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type ComposeVars = Record<string, string | undefined>;

/** A `${VAR:?message}` (or `${VAR?message}`) whose variable is missing. */
export class MissingVariableError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`required variable ${variable} is missing a value: ${detail}`);
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  throw new Error(`unclosed \${ in ${text}`);
}

function substitute(expression: string, vars: ComposeVars): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(expression);
  if (!m) throw new Error(`invalid interpolation \${${expression}}`);
  const [, name, op, arg = ''] = m;
  const value = vars[name];
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  switch (op) {
    case undefined:
      return value ?? '';
    case ':-':
      return nonEmpty ? value : interpolate(arg, vars);
    case '-':
      return set ? value : interpolate(arg, vars);
    case ':?':
      if (!nonEmpty) throw new MissingVariableError(name, interpolate(arg, vars));
      return value;
    case '?':
      if (!set) throw new MissingVariableError(name, interpolate(arg, vars));
      return value;
    case ':+':
      return nonEmpty ? interpolate(arg, vars) : '';
    case '+':
      return set ? interpolate(arg, vars) : '';
    default:
      throw new Error(`invalid interpolation \${${expression}}`);
  }
}

/**
 * Compose's interpolation of one value: `$$` is a literal `$`; `$VAR`, `${VAR}`, and `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}` with nested
 * expressions in the default, error or alternative.
 */
export function interpolate(text: string, vars: ComposeVars): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c !== '$') {
      out += c;
      i++;
    } else if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      out += substitute(text.slice(i + 2, end), vars);
      i = end + 1;
    } else {
      const name = NAME.exec(text.slice(i + 1))?.[0];
      out += name ? (vars[name] ?? '') : '$';
      i += 1 + (name?.length ?? 0);
    }
  }
  return out;
}

/** Every string value of a parsed Compose file interpolated, as Compose does before it validates. */
export function interpolateTree<T>(node: T, vars: ComposeVars): T {
  if (typeof node === 'string') return interpolate(node, vars) as T;
  if (Array.isArray(node)) return node.map((n: unknown) => interpolateTree(n, vars)) as T;
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, interpolateTree(v as unknown, vars)]),
    ) as T;
  }
  return node;
}

/** A Compose file as Compose reads it: YAML with merge keys, then interpolated. */
export function loadComposeFile<T>(path: string, vars: ComposeVars): T {
  return interpolateTree(parse(readFileSync(path, 'utf8'), { merge: true }) as T, vars);
}

/** A service's `environment` (map or list form), interpolated, as the process receives it. */
export function composeEnv(
  service: { environment?: Record<string, string | number | boolean | null> | string[] },
  vars: ComposeVars,
): Record<string, string> {
  const raw = service.environment ?? {};
  const pairs = Array.isArray(raw)
    ? raw.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const)
    : Object.entries(raw).map(([k, v]) => [k, String(v ?? '')] as const);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v, vars)]));
}

/** A Compose duration (`45s`, `1m30s`, `1h`, `500ms`) in seconds. */
export function durationSeconds(value: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6 };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) {
    throw new Error(`not a Compose duration: ${value}`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]], 0);
}
