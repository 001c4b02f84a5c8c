import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG_RE = /^[a-z0-9][a-z0-9_-]{0,254}$/i;

/** The largest id a metadata table holds (PostgreSQL `integer`). */
export const MAX_ID = 2_147_483_647;
/** Pages beyond this would ask the database for offsets it cannot represent usefully. */
export const MAX_PAGE = 1_000_000;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

/** Query strings carry numbers as text; REST GET and MCP must accept the same values. */
const numericString = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** A numeric id or a UUID (and, where `allowSlug`, a dashboard slug). */
export function IsIdentifier(opts: { allowSlug?: boolean } = {}, options?: ValidationOptions) {
  const kinds = opts.allowSlug ? 'a numeric id, a UUID or a slug' : 'a numeric id or a UUID';
  return applyDecorators(
    Transform(numericString),
    ValidateBy(
      {
        name: 'isIdentifier',
        validator: {
          validate: (value: unknown) =>
            (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= MAX_ID) ||
            isUuid(value) ||
            (opts.allowSlug === true && typeof value === 'string' && SLUG_RE.test(value)),
          defaultMessage: () => `$property must be ${kinds}`,
        },
      },
      options,
    ),
    JSONSchema({
      description: `Identifier: ${kinds}`,
      oneOf: [
        { type: 'integer', minimum: 1, maximum: MAX_ID },
        opts.allowSlug
          ? { type: 'string', minLength: 1, maxLength: 255 }
          : { type: 'string', format: 'uuid' },
      ],
    }),
  );
}

export function PageNumber() {
  return applyDecorators(
    IsOptional(),
    Transform(numericString),
    IsInt(),
    Min(1),
    Max(MAX_PAGE),
    JSONSchema({
      type: 'integer',
      minimum: 1,
      maximum: MAX_PAGE,
      default: 1,
      description: 'Page number, 1-based',
    }),
  );
}

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

export function PageSize() {
  return applyDecorators(
    IsOptional(),
    Transform(numericString),
    IsInt(),
    Min(1),
    Max(MAX_PAGE_SIZE),
    JSONSchema({
      type: 'integer',
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      default: DEFAULT_PAGE_SIZE,
      description: `Items per page (1-${MAX_PAGE_SIZE})`,
    }),
  );
}

/** Query strings carry booleans as text; REST GET and MCP must accept the same values. */
const booleanString = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

/**
 * `force_refresh` of a cached tool: `true` skips the cached answer, computes a fresh one and
 * caches that instead.
 */
export function ForceRefresh() {
  return applyDecorators(
    IsOptional(),
    Transform(booleanString),
    IsBoolean({ message: 'force_refresh must be true or false' }),
    JSONSchema({
      type: 'boolean',
      default: false,
      description: 'Skip the cached answer and compute a fresh one',
    }),
  );
}

/** A numeric id of a metadata row: a positive integer that fits the column. */
export function IsId(description: string) {
  return applyDecorators(
    IsInt(),
    Min(1),
    Max(MAX_ID),
    JSONSchema({ type: 'integer', minimum: 1, maximum: MAX_ID, description }),
  );
}

export interface InputProblem {
  path: string;
  message: string;
}

/**
 * What no tool accepts anywhere in its arguments, whatever its DTO says: NUL characters (PostgreSQL
 * refuses them in text and JSON, so they could only ever fail later, and worse) in values or keys.
 */
export function forbiddenCharacters(value: unknown, path = '', depth = 0): InputProblem | undefined {
  if (typeof value === 'string') {
    return value.includes('\u0000')
      ? { path: path || '(arguments)', message: 'must not contain NUL characters' }
      : undefined;
  }
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  for (const [key, item] of entries) {
    const here = path ? `${path}.${key}` : key;
    if (key.includes('\u0000'))
      return { path: here.split('\u0000').join('\\0'), message: 'names a field with a NUL character' };
    const found = forbiddenCharacters(item, here, depth + 1);
    if (found) return found;
  }
  return undefined;
}
