import type { JsonSchema } from '@meridian/contracts';

/** Where a value sits in a tool result: the part of the output schema that governs it, if any. */
export type SchemaNode = JsonSchema | undefined;

type JsonType = 'null' | 'array' | 'object' | 'string' | 'number' | 'integer' | 'boolean';

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function typeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as JsonType;
}

function allows(schema: JsonSchema, t: JsonType): boolean {
  if (schema.type === undefined) return true;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

/**
 * The schema that governs `value`: an anyOf/oneOf is narrowed to the first branch the value's
 * type (and, for objects, its required keys) fits, merged with the keys beside it.
 */
export function resolve(schema: SchemaNode, value: unknown): SchemaNode {
  if (!schema) return undefined;
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (!Array.isArray(branches)) return schema;
  const t = typeOf(value);
  const fits = (b: JsonSchema) =>
    allows(b, t) && (t !== 'object' || (b.required ?? []).every((k) => k in (value as object)));
  const branch = branches.find(fits) ?? branches[0];
  const { anyOf: _a, oneOf: _o, ...own } = schema;
  return resolve({ ...own, ...branch, type: branch.type ?? own.type }, value);
}

/** The schema of `obj[key]` under the object's schema; undefined where anything goes. */
export function propertySchema(schema: SchemaNode, obj: Record<string, unknown>, key: string): SchemaNode {
  if (!schema) return undefined;
  const own = schema.properties?.[key];
  if (own) return resolve(own, obj[key]);
  const extra = schema.additionalProperties;
  return isRecord(extra) ? resolve(extra, obj[key]) : undefined;
}

export function itemSchema(schema: SchemaNode, item: unknown): SchemaNode {
  return schema && isRecord(schema.items) ? resolve(schema.items, item) : undefined;
}

/** A string whose schema only asks for a string may be shortened. */
export function shortenable(schema: SchemaNode): boolean {
  if (!schema) return true;
  return ['enum', 'const', 'format', 'pattern', 'minLength', 'maxLength'].every(
    (k) => schema[k] === undefined,
  );
}

/** An object anything may be written into (no declared properties, extra keys of any kind). */
export function freeObject(schema: SchemaNode): boolean {
  if (!schema) return true;
  return (
    allows(schema, 'object') &&
    !schema.properties &&
    !schema.required &&
    !schema.patternProperties &&
    (schema.additionalProperties === undefined || schema.additionalProperties === true)
  );
}

/** An array that may lose items (no lower bound on its length). */
export function shrinkableArray(schema: SchemaNode): boolean {
  return !schema || schema.minItems === undefined || schema.minItems === 0;
}

/** May `key` be left out of an object of this schema. */
export function optional(schema: SchemaNode, key: string): boolean {
  return !schema || !(schema.required ?? []).includes(key);
}

/** Does a top-level property of this type exist to carry a string message. */
export function takesString(schema: SchemaNode, key: string): boolean {
  const prop = schema?.properties?.[key];
  return !!prop && allows(prop, 'string') && shortenable(prop);
}

export function takesStringArray(schema: SchemaNode, key: string): boolean {
  const prop = schema?.properties?.[key];
  return !!prop && allows(prop, 'array') && (!isRecord(prop.items) || allows(prop.items, 'string'));
}

export function takesBoolean(schema: SchemaNode, key: string): boolean {
  const prop = schema?.properties?.[key];
  return !!prop && allows(prop, 'boolean');
}

export function takesInteger(schema: SchemaNode, key: string): boolean {
  const prop = schema?.properties?.[key];
  return !!prop && allows(prop, 'integer');
}
