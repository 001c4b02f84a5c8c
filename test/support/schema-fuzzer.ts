import { Prng } from '../../libs/examples/src/prng';

/** The subset of JSON Schema the tools' input schemas use. */
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  default?: unknown;
  additionalProperties?: boolean | Schema;
  $ref?: string;
  definitions?: Record<string, Schema>;
  $defs?: Record<string, Schema>;
}

export interface FuzzCase {
  /** What was done to the valid value, for the failure message. */
  label: string;
  args: unknown;
}

/** Values that have broken services before: NUL, control characters, lone surrogates, big and deep. */
const NASTY_STRINGS = [
  'a\u0000b',
  '\u0000',
  'line\nbreak\ttab\u0007bell\u001b[31m',
  '\ud800',
  'x\udfffy',
  '\u202e\u200b\ufeff',
  "'; DROP TABLE users; --",
  '%00%zz%',
  '../../../../etc/passwd',
  '{"request":{}}',
  '\\u0000',
  '',
  ' ',
  '🙂'.repeat(100),
];
const NASTY_NUMBERS = [0, -1, 1.5, 2147483647, 2147483648, -2147483649, 9007199254740991, 1e17, 1e308, -0];

export class SchemaFuzzer {
  private readonly rng: Prng;

  constructor(
    seed: string,
    private readonly root: Schema,
  ) {
    this.rng = new Prng(seed);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.rng.int(0, items.length - 1)];
  }

  private resolve(schema: Schema): Schema {
    if (!schema.$ref) return schema;
    const name = schema.$ref.split('/').pop() ?? '';
    return this.root.definitions?.[name] ?? this.root.$defs?.[name] ?? {};
  }

  private typeOf(schema: Schema): string | undefined {
    const t = schema.type;
    if (Array.isArray(t))
      return this.pick(t.filter((x) => x !== 'null').length ? t.filter((x) => x !== 'null') : t);
    return t;
  }

  /** A value the schema accepts, as far as the schema says. */
  valid(schema: Schema = this.root, depth = 0): unknown {
    const s = this.resolve(schema);
    if (s.const !== undefined) return s.const;
    if (s.enum) return this.pick(s.enum);
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives?.length) return this.valid(this.pick(alternatives), depth);
    if (s.allOf?.length)
      return this.valid(
        { ...s, allOf: undefined, ...Object.assign({}, ...s.allOf.map((x) => this.resolve(x))) },
        depth,
      );
    if (s.default !== undefined && this.rng.next() < 0.3) return s.default;
    switch (this.typeOf(s) ?? (s.properties ? 'object' : undefined)) {
      case 'integer': {
        const min = s.minimum ?? 1;
        const max = Math.min(s.maximum ?? min + 20, min + 1000);
        return this.rng.int(min, max);
      }
      case 'number':
        return this.rng.float(s.minimum ?? 0, Math.min(s.maximum ?? 100, 1e6));
      case 'boolean':
        return this.rng.next() < 0.5;
      case 'string': {
        if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
        if (s.format === 'date-time') return new Date(Date.UTC(2024, this.rng.int(0, 11), 1)).toISOString();
        const min = s.minLength ?? 1;
        const words = ['num', 'gender', 'state', 'name', 'ds', 'SELECT 1', 'orders', 'region', 'a'];
        const word = this.pick(words);
        return word.length >= min ? word.slice(0, s.maxLength ?? 255) : word.padEnd(min, 'x');
      }
      case 'array': {
        const n = this.rng.int(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3));
        return Array.from({ length: n }, () => this.valid(s.items ?? {}, depth + 1));
      }
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [key, prop] of Object.entries(s.properties ?? {})) {
          const required = s.required?.includes(key) ?? false;
          if ((required || this.rng.next() < 0.4) && depth < 6) out[key] = this.valid(prop, depth + 1);
        }
        return out;
      }
      case 'null':
        return null;
      default:
        return this.pick(['x', 1, true]);
    }
  }

  /** A value no well-formed schema should take for granted. */
  private nasty(): unknown {
    switch (this.rng.int(0, 9)) {
      case 0:
        return null;
      case 1:
        return this.pick(NASTY_STRINGS);
      case 2:
        return this.pick(NASTY_NUMBERS);
      case 3:
        return [];
      case 4:
        return {};
      case 5:
        return 'x'.repeat(this.pick([256, 4097, 100_000]));
      case 6: {
        let deep: unknown = 'bottom';
        for (let i = 0; i < this.pick([20, 200]); i++) deep = this.rng.next() < 0.5 ? [deep] : { k: deep };
        return deep;
      }
      case 7:
        return [this.pick(NASTY_STRINGS), { a: null }, [1, [2]]];
      case 8:
        return this.rng.next() < 0.5 ? true : 'true';
      default:
        return { nested: this.pick(NASTY_STRINGS), [this.pick(NASTY_STRINGS) || 'k']: 1 };
    }
  }

  /** Every property path of a value (objects and arrays), root excluded. */
  private paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    if (prefix.length > 8 || value === null || typeof value !== 'object') return [];
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v] as [number, unknown])
      : Object.entries(value);
    return entries.flatMap(([k, v]) => [[...prefix, k], ...this.paths(v, [...prefix, k])]);
  }

  private setAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
    if (path.length === 0) return replacement;
    const [head, ...rest] = path;
    if (Array.isArray(value)) {
      const copy = [...value];
      copy[head as number] = this.setAt(copy[head as number], rest, replacement);
      return copy;
    }
    const obj = { ...(value as Record<string, unknown>) };
    obj[head as string] = this.setAt(obj[head as string], rest, replacement);
    return obj;
  }

  /** A valid value, then the same with one thing broken. */
  cases(count: number): FuzzCase[] {
    const out: FuzzCase[] = [];
    const propertyNames = Object.keys(this.resolve(this.root).properties ?? {});
    for (let i = 0; i < count; i++) {
      const base = this.valid();
      if (i % 4 === 0) {
        out.push({ label: 'valid', args: base });
        continue;
      }
      const paths = this.paths(base);
      const r = this.rng.next();
      if (r < 0.15 || paths.length === 0) {
        // A top-level property, present or not in the valid value, set to something nasty.
        const key =
          propertyNames.length && this.rng.next() < 0.85
            ? this.pick(propertyNames)
            : this.pick(NASTY_STRINGS) || 'unknown';
        const nasty = this.nasty();
        out.push({ label: `${key} = ${describe(nasty)}`, args: { ...(base as object), [key]: nasty } });
      } else if (r < 0.9) {
        const path = this.pick(paths);
        const nasty = this.nasty();
        out.push({ label: `${path.join('.')} = ${describe(nasty)}`, args: this.setAt(base, path, nasty) });
      } else {
        const whole = this.pick<unknown>([null, [], 'args', 42, [base]]);
        out.push({ label: `arguments = ${describe(whole)}`, args: whole });
      }
    }
    return out;
  }
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
